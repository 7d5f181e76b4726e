/**
 * Remote-bus behaviour beyond the shared contract: QoS 0 overflow, routing of overlapping filters
 * (MQTT 5 subscription identifiers; MQTT 3.1.1 by topic), and the last will.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { remoteBusSchema } from '../../config/schema.js';
import type { Bus } from '../../core/bus/bus.js';
import { connectRemoteBus, type RemoteBusOptions } from '../../core/bus/bus-remote.js';
import { startBareAedes, type BareAedes } from '../helpers/bare-aedes.js';
import { captureLog } from '../helpers/log-capture.js';
import { startMosquitto, type MosquittoServer } from '../helpers/mosquitto.js';
import { collect, externalClients, sleep, waitUntil } from './external-client.js';

let mosquitto: MosquittoServer;
let base: string;
const buses: Bus[] = [];

beforeAll(async () => {
  mosquitto = await startMosquitto();
});
afterAll(async () => {
  await Promise.all(buses.map((bus) => bus.close()));
  await mosquitto.stop();
});
beforeEach(() => {
  base = `delivery/${randomUUID().slice(0, 8)}`;
});

async function remoteBus(url: string, protocolVersion: 4 | 5, options: Partial<RemoteBusOptions> = {}) {
  const bus = await connectRemoteBus(remoteBusSchema.parse({ url, protocolVersion }), {
    log: captureLog('warn').logger,
    ...options,
  });
  buses.push(bus);
  return bus;
}

describe('remote bus: a full queue', () => {
  it('drops the oldest QoS 0 messages, counts them, and keeps the newest in order', async () => {
    const bus = await remoteBus(mosquitto.url, 5);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const handled: number[] = [];
    const subscription = await bus.subscribe(
      `${base}/q0`,
      async (message) => {
        handled.push(Number(message.payload.toString()));
        await gate;
      },
      { qos: 0, queueSize: 5 },
    );
    const external = externalClients(mosquitto.url, 5);
    // Whatever happens below, open the gate: a handler stuck in it would hold up closing the bus.
    onTestFinished(release);
    for (let i = 0; i <= 50; i += 1) await external.publish(`${base}/q0`, String(i), { qos: 0 });
    // Handled (at most one, held at the gate), queued (five at most) or dropped: all 51 accounted for.
    await waitUntil(
      () => handled.length + subscription.queued + subscription.dropped === 51,
      'the QoS 0 burst to be accounted for',
    );
    expect(subscription.queued).toBeLessThanOrEqual(5);
    release();
    await waitUntil(() => handled.includes(50), 'the last message');
    await external.closeAll();
    expect(handled.length + subscription.dropped).toBe(51);
    expect(subscription.dropped).toBeGreaterThanOrEqual(45);
    // The newest survive, in order.
    expect(handled.slice(-5)).toEqual([46, 47, 48, 49, 50]);
  });
});

describe('remote bus: overlapping filters', () => {
  it('MQTT 5: each subscription gets a message exactly once, the share group split across buses', async () => {
    // Mosquitto sends one copy per matching subscription; the subscription identifiers route them.
    const bus = await remoteBus(mosquitto.url, 5);
    const peer = await remoteBus(mosquitto.url, 5);
    const all = await collect(bus, `${base}/#`);
    const exact = await collect(bus, `${base}/a`);
    const sharedHere = await collect(bus, `${base}/+`, { shareGroup: 'g' });
    const sharedThere = await collect(peer, `${base}/+`, { shareGroup: 'g' });
    const payloads = Array.from({ length: 60 }, (_, i) => String(i));
    for (const p of payloads) await bus.publish(`${base}/a`, p, { qos: 1 });
    await all.waitFor(60);
    await exact.waitFor(60);
    await waitUntil(
      () => sharedHere.messages.length + sharedThere.messages.length >= 60,
      'the shared copies',
    );
    await sleep(100);
    expect(all.payloads()).toEqual(payloads);
    expect(exact.payloads()).toEqual(payloads);
    expect(sharedHere.messages.length).toBeGreaterThan(0);
    expect(sharedThere.messages.length).toBeGreaterThan(0);
    expect([...sharedHere.payloads(), ...sharedThere.payloads()].sort()).toEqual([...payloads].sort());
  });

  it('MQTT 3.1.1: overlapping filters each get a message once; a $share overlap is warned about', async () => {
    // Mosquitto (like Aedes) sends one copy per client on 3.1.1; routing by topic gives each its own.
    const log = captureLog('warn');
    const bus = await remoteBus(mosquitto.url, 4, { log: log.logger });
    const all = await collect(bus, `${base}/#`);
    const exact = await collect(bus, `${base}/a`);
    const level = await collect(bus, `${base}/+`);
    for (const p of ['1', '2', '3']) await bus.publish(`${base}/a`, p, { qos: 1 });
    await all.waitFor(3);
    await sleep(100);
    expect([all.payloads(), exact.payloads(), level.payloads()]).toEqual([
      ['1', '2', '3'],
      ['1', '2', '3'],
      ['1', '2', '3'],
    ]);
    expect(log.find('cannot be routed exactly')).toEqual([]);
    await collect(bus, `${base}/+`, { shareGroup: 'g' });
    expect(log.find('cannot be routed exactly').length).toBeGreaterThan(0);
  });
});

describe('remote bus: last will', () => {
  let broker: BareAedes;
  beforeAll(async () => {
    broker = await startBareAedes();
  });
  afterAll(async () => {
    await broker.close();
  });

  it('is published when the connection dies, not when the bus closes', async () => {
    const external = externalClients(broker.url);
    const wills = await external.subscribe(`${base}/status/+`);
    const will = (name: string) => ({ topic: `${base}/status/${name}`, payload: 'offline', retain: true });

    const polite = await remoteBus(broker.url, 4, { clientId: `polite-${base}`, will: will('polite') });
    await polite.close();

    const clientId = `dying-${base}`;
    await remoteBus(broker.url, 4, {
      clientId,
      will: will('dying'),
      reconnect: { initialMs: 60_000, maxMs: 60_000 },
    });
    // Cut the socket under the client, as a network failure would (Aedes' types omit `clients`).
    const clients = (broker.aedes as unknown as { clients: Record<string, { conn: { destroy(): void } }> })
      .clients;
    clients[clientId]?.conn.destroy();
    await wills.waitFor(1);
    await sleep(100);
    expect(wills.messages.map((m) => [m.topic, m.payload.toString()])).toEqual([
      [`${base}/status/dying`, 'offline'],
    ]);
    await external.closeAll();
  });
});
