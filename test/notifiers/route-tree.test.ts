/**
 * The routing tree through a real in-process busbar: alarms from real metrics go down a nested tree
 * (first matching child, `continue`, the parent when no child matches, the flat routes as the
 * root's), each route grouping with its own settings, delivered to webhook targets on a real local
 * HTTP server whose path says which target took which group.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startTestBusbar, type TestBusbar } from '../helpers/busbar.js';
import { Clients, waitFor } from '../helpers/mqtt-clients.js';
import { startHookServer, type HookServer } from './webhook-server.js';

const clients = new Clients();
let busbar: TestBusbar | undefined;
let hook: HookServer | undefined;

afterEach(async () => {
  await clients.closeAll();
  await busbar?.stop();
  await hook?.close();
  busbar = undefined;
  hook = undefined;
});

interface Received {
  readonly target: string;
  readonly route: string;
  readonly group: string;
  readonly reason: string;
}

function received(server: HookServer): Received[] {
  return server.requests.map((request) => {
    const payload = request.body.payload as Record<string, unknown>;
    return {
      target: request.path.slice(1),
      route: String(request.body.route),
      group: String(payload.group),
      reason: String(payload.reason),
    };
  });
}

describe('the routing tree', () => {
  it('sends each group to the routes it ends at, with their own grouping and repeat', async () => {
    hook = await startHookServer();
    const webhook = (name: string): { url: string } => ({ url: `${hook!.url}/${name}` });
    busbar = await startTestBusbar({
      agent: { enabled: false },
      alarms: {
        evaluateInterval: '50ms',
        rules: [
          {
            kind: 'threshold',
            name: 'hot',
            measurement: 'temp',
            field: 'temp',
            above: 50,
            severity: 'critical',
          },
          { kind: 'threshold', name: 'disk', measurement: 'disk', field: 'used', above: 90 },
        ],
        // The root's settings: every route inherits what it does not set.
        notify: { groupBy: ['rule'], groupWait: '0s', groupInterval: '100ms', repeatInterval: '1h' },
      },
      notifiers: {
        enabled: true,
        services: {
          webhook: {
            db: webhook('db'),
            dbpager: webhook('dbpager'),
            ops: webhook('ops'),
            never: webhook('never'),
            legacy: webhook('legacy'),
          },
        },
        routes: [
          // A flat route: the root's receiver, for alarms no route of the tree takes.
          { name: 'legacy', topic: 'busbar/notify/#', targets: ['webhook:legacy'] },
          {
            name: 'db',
            matchers: { team: 'db' },
            groupBy: ['source'],
            continue: true,
            targets: ['webhook:db'],
            routes: [
              {
                name: 'critical',
                matchers: { severity: 'critical' },
                continue: true,
                repeatInterval: '300ms',
                targets: ['webhook:dbpager'],
              },
              { name: 'hot', matchers: { rule: 'hot' } },
              { name: 'after-hot', matchers: { rule: 'hot' }, targets: ['webhook:never'] },
            ],
          },
          { name: 'teams', matchers: { team: ['db', 'web'] }, targets: ['webhook:ops'] },
          // teams does not continue: a later sibling matching the same alarms gets none of them.
          { name: 'unreached', matchers: { team: ['db', 'web'] }, targets: ['webhook:never'] },
        ],
      },
    });
    const client = await clients.connect(busbar.url);
    await client.publishAsync('busbar/metrics/web1/temp', 'temp,host=web1,team=db temp=61');
    await client.publishAsync('busbar/metrics/web2/disk', 'disk,host=web2,team=web used=95');
    await client.publishAsync('busbar/metrics/web3/temp', 'temp,host=web3,team=lab temp=70');
    await client.publishAsync('busbar/metrics/web4/disk', 'disk,host=web4,team=db used=97');

    // The critical route repeats on its own interval: wait for its first reminder.
    await waitFor(
      () => received(hook!).some((got) => got.target === 'dbpager' && got.reason === 'repeat'),
      'a repeat from the critical route',
    );
    const firsts = (): string[] =>
      received(hook!)
        .filter((got) => got.reason === 'new')
        .map(({ target, route, group }) => `${target} ${route} ${group}`)
        .sort();
    await waitFor(() => firsts().length >= 6, 'every first notification');
    expect(firsts()).toEqual([
      // disk/web4 (team db, not critical): no child of db matches, so db itself takes it.
      'db db db|source=web4',
      // hot/web1 (team db, critical): critical (continue) then hot, both in db; db continues to teams.
      'db db/hot db/hot|source=web1',
      'dbpager db/critical db/critical|source=web1',
      // hot/web3 (team lab): no route of the tree matches; the root's flat route takes it.
      'legacy legacy rule=hot',
      // teams groups by the root's groupBy (rule): disk on web2 and web4 are one group.
      'ops teams teams|rule=disk',
      'ops teams teams|rule=hot',
    ]);
    // By the second reminder of the critical route, the others (repeatInterval 1h) repeated nothing.
    await waitFor(
      () => received(hook!).filter((got) => got.target === 'dbpager' && got.reason === 'repeat').length >= 2,
      'a second repeat from the critical route',
    );
    const repeats = received(hook!).filter((got) => got.reason === 'repeat');
    expect(new Set(repeats.map((got) => got.route))).toEqual(new Set(['db/critical']));
    expect(received(hook!).some((got) => got.target === 'never')).toBe(false);
  }, 60_000);
});
