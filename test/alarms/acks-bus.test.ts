/**
 * Acknowledgement through a real in-process busbar and the `busbar ack` CLI over TCP: the ack is
 * published retained on busbar/acks/<rule>/<series>, stops the alarm's repeats, is cleared when the
 * alarm resolves, and an alarm firing again is repeated again.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startTestBusbar, type TestBusbar } from '../helpers/busbar.js';
import { runCli } from '../helpers/cli.js';
import { Clients, record, subscribe, waitFor } from '../helpers/mqtt-clients.js';
import { RepeatWatch } from '../helpers/repeat-watch.js';
import { tempDir } from '../helpers/process.js';
import { acknowledgeAlarm } from '../../alarms/ack-client.js';
import type { ConfigInput } from '../../config/schema.js';

const clients = new Clients();
let busbar: TestBusbar | undefined;

afterEach(async () => {
  await clients.closeAll();
  await busbar?.stop();
  busbar = undefined;
});

const SERIES = 'web1.temp.temp{host=web1}';
const ACK_TOPIC = `busbar/acks/hot/${SERIES}`;

describe('busbar ack', () => {
  it('acknowledges a firing alarm: no repeats until it resolves, then repeats again', async () => {
    busbar = await startTestBusbar({
      agent: { enabled: false },
      web: { enabled: false },
      // <base>/control/... is busbar's own: the command's user needs a rule naming it (broker/acl.ts).
      broker: {
        acl: [{ user: '$anonymous', topic: 'busbar/control/acks', access: 'publish' }, { topic: '#' }],
      },
      alarms: {
        defaults: false,
        evaluateInterval: '50ms',
        notify: { groupBy: ['...'], groupWait: '0s', groupInterval: '100ms', repeatInterval: '300ms' },
        rules: [{ kind: 'threshold', name: 'hot', measurement: 'temp', field: 'temp', above: 50 }],
      },
      // A channel told of each acknowledgement as it is made (the clearing has no `by`).
      notifiers: {
        enabled: true,
        services: { mqtt: { told: { topic: 'ops/acks' } } },
        routes: [
          {
            name: 'acks',
            topic: 'busbar/acks/#',
            filter: { fields: { by: '*' } },
            message: '{payload.by} took {payload.rule}: {payload.comment}',
            targets: ['mqtt:told'],
          },
        ],
      },
    });
    const client = await clients.connect(busbar.url);
    const messages = record(client);
    await subscribe(client, 'busbar/acks/#', 1);
    await subscribe(client, 'ops/acks', 1);
    const watch = await RepeatWatch.start(busbar.running.bus);
    const broker = ['--broker', busbar.url];

    const notFiring = await runCli(['ack', 'hot', ...broker]);
    expect(notFiring).toMatchObject({ code: 1, stderr: 'no firing alarm is named "hot"\n' });

    await client.publishAsync('busbar/metrics/web1/temp', 'temp,host=web1 temp=61');
    await watch.waitForRepeat();

    const acked = await runCli(['ack', 'hot', '--by', 'ann', '--comment', 'swapping the fan', ...broker]);
    const mark = watch.mark(); // the acknowledgement is in force once answered
    expect(acked.stderr).toBe('');
    expect(acked.code).toBe(0);
    expect(acked.stdout).toMatch(
      new RegExp(
        `^acknowledged: hot/${SERIES.replace(/[{}.]/g, '\\$&')} by ann at \\S+ — swapping the fan\\n$`,
      ),
    );
    await waitFor(
      () => messages.some((m) => m.topic === ACK_TOPIC && m.payload.length > 0),
      'the acknowledgement',
    );
    const at = messages.findIndex((m) => m.topic === ACK_TOPIC);
    expect(JSON.parse(messages[at]!.payload)).toMatchObject({
      rule: 'hot',
      series: SERIES,
      by: 'ann',
      comment: 'swapping the fan',
      at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(messages[at]!.retain).toBe(false); // live; a new subscriber gets it retained:
    const late = await clients.connect(busbar.url);
    const lateMessages = record(late);
    await subscribe(late, 'busbar/acks/#', 1);
    await waitFor(() => lateMessages.some((m) => m.topic === ACK_TOPIC && m.retain), 'the retained ack');

    // Twice the stage found a repeat due and left the acknowledged alarm out: no repeat was sent.
    expect(await watch.repeatsWhileAcknowledged(mark)).toBe(0);

    await waitFor(() => messages.some((m) => m.topic === 'ops/acks'), 'the channel told');
    const told = messages.filter((m) => m.topic === 'ops/acks');
    expect(told.map((m) => (JSON.parse(m.payload) as { message: string }).message)).toEqual([
      'ann took hot: swapping the fan',
    ]);

    // Resolved: the acknowledgement is cleared; firing again, the alarm is repeated again.
    await client.publishAsync('busbar/metrics/web1/temp', 'temp,host=web1 temp=40');
    await waitFor(
      () => messages.some((m, index) => index > at && m.topic === ACK_TOPIC && m.payload.length === 0),
      'the acknowledgement cleared',
    );
    const cleared = watch.mark();
    await client.publishAsync('busbar/metrics/web1/temp', 'temp,host=web1 temp=62');
    await watch.waitForRepeat(cleared);
    expect(messages.filter((m) => m.topic === 'ops/acks')).toHaveLength(1); // the clearing is not told
  }, 60_000);

  it('keeps an acknowledgement across a restart of busbar (state file), still without repeats', async () => {
    const dir = await tempDir('acks-restart');
    const config: ConfigInput = {
      agent: { enabled: false },
      web: { enabled: false },
      alarms: {
        defaults: false,
        statePath: `${dir.path}/alarms.json`,
        evaluateInterval: '50ms',
        notify: { groupBy: ['...'], groupWait: '0s', groupInterval: '100ms', repeatInterval: '300ms' },
        rules: [{ kind: 'threshold', name: 'hot', measurement: 'temp', field: 'temp', above: 50 }],
      },
    };
    try {
      busbar = await startTestBusbar(config);
      const { bus, topics } = busbar.running;
      const watch = await RepeatWatch.start(bus);
      await bus.publish(topics.metrics('web1', 'temp'), 'temp,host=web1 temp=61', { qos: 1 });
      await watch.waitForRepeat();
      await acknowledgeAlarm(bus, topics, { rule: 'hot', series: SERIES, by: 'ann', comment: 'on it' });
      await busbar.stop();

      // The in-memory broker lost every retained topic: the state file brings the ack back.
      busbar = await startTestBusbar(config);
      const client = await clients.connect(busbar.url);
      const messages = record(client);
      await subscribe(client, 'busbar/acks/#', 1);
      await waitFor(
        () => messages.some((m) => m.topic === ACK_TOPIC && m.payload.length > 0),
        'the ack again',
      );
      expect(JSON.parse(messages.find((m) => m.topic === ACK_TOPIC)!.payload)).toMatchObject({
        by: 'ann',
        comment: 'on it',
      });
      const after = await RepeatWatch.start(busbar.running.bus);
      expect(await after.repeatsWhileAcknowledged(after.mark())).toBe(0);
    } finally {
      await busbar?.stop();
      busbar = undefined;
      await dir.remove();
    }
  }, 60_000);
});
