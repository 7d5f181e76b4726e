/**
 * The Ack button's API against a running busbar and its alarms component, as the alarms page uses it:
 * logged in with a session cookie, writing with the page's own Origin. The acknowledgement names the
 * user, shows on /api/alarms and stops the alarm's repeats; a foreign origin, a read-only user and an
 * alarm that does not fire are refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RepeatWatch } from '../helpers/repeat-watch.js';
import { ADMIN, DISK_RULE, VIEWER, send, startWebBusbar, webUsers, type WebBusbar } from './web-fixture.js';

let web: WebBusbar;
let watch: RepeatWatch;

async function login(user: { username: string; password: string }): Promise<string> {
  const answer = await send(web, {
    method: 'POST',
    path: '/login',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(user),
  });
  expect(answer.status).toBe(200);
  return String(answer.headers['set-cookie']).split(';')[0]!;
}

function ack(cookie: string, body: unknown, origin = web.base) {
  return send(web, {
    method: 'POST',
    path: '/api/acks',
    headers: { cookie, origin, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

async function alarms(cookie: string): Promise<Record<string, unknown>[]> {
  const answer = await send(web, { path: '/api/alarms', headers: { cookie } });
  return JSON.parse(answer.body) as Record<string, unknown>[];
}

beforeAll(async () => {
  web = await startWebBusbar({
    ...(await webUsers()),
    agent: { enabled: false },
    alarms: {
      ...DISK_RULE,
      evaluateInterval: '50ms',
      notify: { groupBy: ['...'], groupWait: '0s', groupInterval: '100ms', repeatInterval: '300ms' },
    },
  });
  const { bus, topics } = web.busbar.running;
  watch = await RepeatWatch.start(bus);
  await bus.publish(topics.metrics('web1', 'disk'), 'disk,host=web1,path=/ used_percent=97', { qos: 1 });
});

afterAll(async () => {
  await web?.stop();
});

describe('POST /api/acks', () => {
  it('acknowledges a firing alarm for the logged-in user, shows it, and stops its repeats', async () => {
    await watch.waitForRepeat();
    const admin = await login(ADMIN);
    const [alarm] = await alarms(admin);
    expect(alarm).toMatchObject({ rule: 'disk_full', state: 'firing', ack: null });
    const body = { rule: 'disk_full', series: String(alarm!.series), comment: 'ordering a disk' };

    expect((await ack(admin, body, 'http://evil.example')).status).toBe(403);
    expect((await ack(await login(VIEWER), body)).status).toBe(403);
    const notFiring = await ack(admin, { ...body, rule: 'no_such_rule' });
    expect(notFiring.status).toBe(409);

    const answer = await ack(admin, body);
    const mark = watch.mark(); // the acknowledgement is in force once answered
    expect(answer.status).toBe(201);
    expect(JSON.parse(answer.body)).toMatchObject({ ...body, by: 'web:admin' });
    const [shown] = await alarms(admin);
    expect(shown?.ack).toMatchObject({ by: 'web:admin', comment: 'ordering a disk' });
    expect(await watch.repeatsWhileAcknowledged(mark)).toBe(0);
  }, 60_000);
});
