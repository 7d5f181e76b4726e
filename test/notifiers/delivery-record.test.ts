/**
 * Item 3, the delivery record: notifications still queued when the router stops are sent after a
 * restart, and those delivered are not sent again. Real webhook server, real SQLite file.
 */
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { notifiersSchema } from '../../notifiers/config.js';
import { DeliveryRecord } from '../../notifiers/router/delivery-record.js';
import { Router } from '../../notifiers/router/router.js';
import { startTestBusbar, type TestBusbar } from '../helpers/busbar.js';
import { captureLog } from '../helpers/log-capture.js';
import { waitFor } from '../helpers/mqtt-clients.js';
import { tempDir } from '../helpers/process.js';
import { startHookServer, type HookServer } from './webhook-server.js';

let busbar: TestBusbar | undefined;
let hook: HookServer | undefined;
let dir: Awaited<ReturnType<typeof tempDir>> | undefined;

afterEach(async () => {
  await busbar?.stop();
  await hook?.close();
  await dir?.remove();
  busbar = hook = dir = undefined;
});

describe('delivery record', () => {
  it('a restart neither loses nor repeats notifications', async () => {
    hook = await startHookServer();
    dir = await tempDir('notify-record');
    busbar = await startTestBusbar({ agent: { enabled: false } });
    const file = `${dir.path}/notifications.db`;
    const config = (ratePerMinute: number) =>
      notifiersSchema.parse({
        recordPath: file,
        services: { webhook: { hook: { url: hook!.url } } },
        routes: [{ name: 'r', topic: 'home/#', message: '{payload}', targets: ['webhook:hook'] }],
        delivery: { ratePerMinute, burst: 1 },
      });
    const log = captureLog('debug');

    // First run: one send a minute, so one is delivered and two are still queued at stop.
    let record = new DeliveryRecord(file);
    let router = new Router(config(1), { log: log.logger, bus: busbar.running.bus, record });
    for (const n of ['0', '1', '2']) router.route('home/door/open', Buffer.from(n));
    await waitFor(() => router.stats().targets['webhook:hook']!.delivered === 1, 'the first delivery');
    await router.stop();
    expect(router.stats().dead).toBe(0);
    expect(record.counts()).toEqual({ delivered: 1, pending: 2 });
    record.close();

    // Second run: the two queued are sent, the delivered one is not.
    record = new DeliveryRecord(file);
    router = new Router(config(600), { log: log.logger, bus: busbar.running.bus, record });
    expect(router.resume()).toBe(2);
    await waitFor(() => hook!.requests.length === 3, 'the resumed deliveries');
    expect(hook.requests.map((request) => request.body.message)).toEqual(['0', '1', '2']);
    expect(new Set(hook.requests.map((request) => request.body.id)).size).toBe(3);
    await router.stop();
    expect(record.counts()).toEqual({ delivered: 3 });
    record.close();

    // Third run: nothing left to send.
    record = new DeliveryRecord(file);
    router = new Router(config(600), { log: log.logger, bus: busbar.running.bus, record });
    expect(router.resume()).toBe(0);
    await router.stop();
    record.close();
    expect(hook.requests).toHaveLength(3);
  });

  it("takes over the queued rows of an earlier version's table, with their failover chain", async () => {
    dir = await tempDir('notify-record');
    const file = `${dir.path}/notifications.db`;
    const old = new Database(file);
    old.exec(`CREATE TABLE notifications (id TEXT NOT NULL, target TEXT NOT NULL, route TEXT NOT NULL,
      topic TEXT NOT NULL, payload TEXT NOT NULL, failover TEXT NOT NULL, state TEXT NOT NULL,
      updated INTEGER NOT NULL, PRIMARY KEY (id, target))`);
    const insert = old.prepare('INSERT INTO notifications VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    insert.run('r/1', 'email:ops', 'r', 'home/door', '"open"', '["file:spool"]', 'queued', 1000);
    insert.run('r/0', 'email:ops', 'r', 'home/door', '"shut"', '[]', 'delivered', 900);
    old.close();

    const record = new DeliveryRecord(file, 2000);
    expect(record.pendingDeliveries()).toEqual([
      {
        id: 'r/1',
        first: 'email:ops',
        target: 'email:ops',
        route: 'r',
        topic: 'home/door',
        payload: 'open',
        chain: ['email:ops', 'file:spool'],
        created: 1000,
      },
    ]);
    expect(record.counts()).toEqual({ pending: 1 });
    record.close();
  });
});
