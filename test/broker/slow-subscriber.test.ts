/**
 * One client cannot hurt the others (outgoing-queue.ts): a raw TCP subscriber on `#` that stops
 * reading its socket, while a publisher sends a few thousand messages to a probe subscriber. The
 * probe gets every message while the slow client is still connected and provably not reading; the
 * slow client's queue stays within its bounds, its QoS 0 drops are counted on busbar/stats/broker
 * and in the client list, and a QoS 1 message beyond its queue disconnects it, its persistent
 * session keeping every QoS 1 message.
 *
 * `drainTimeout` is set far beyond the test, so that only the queue bounds act. Batches are sent
 * once the probe received the previous one: the probe is a healthy client whose own queue must
 * stay within the same bounds. No test here depends on how fast anything runs.
 */
import type { MqttClient } from 'mqtt';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { BrokerClientInfo } from '../../broker/clients-publisher.js';
import type { BrokerStats } from '../../broker/sys-stats.js';
import { Clients, record, subscribe, waitFor, type ReceivedMessage } from '../helpers/mqtt-clients.js';
import { Brokers, type TestBroker } from './fixtures.js';
import { connectPacket, rawConnect, subscribePacket, type RawConnection } from './raw.js';

const brokers = new Brokers();
const clients = new Clients();
afterEach(async () => {
  await clients.closeAll();
  await brokers.closeAll();
});
afterAll(async () => {
  await brokers.closeAll();
});

const MAX_MESSAGES = 200;
const MAX_BYTES = 1024 * 1024;
const LIMITS = {
  maxQueuedMessages: MAX_MESSAGES,
  maxQueuedBytes: MAX_BYTES,
  drainTimeout: '1h',
  sysInterval: 50,
};
/**
 * 4 KiB payloads: a few thousand messages are tens of MiB. Node cannot shrink a TCP socket's
 * receive buffer, and over loopback the kernel holds about 4 MiB for a reader that stopped (the
 * sender's buffer grows up to `net.ipv4.tcp_wmem`'s maximum), so the broker's queue for the slow
 * client fills after about a thousand of them.
 */
const PAYLOAD = 'x'.repeat(4096);
const BATCH = 50;
const WAIT_MS = 20_000;

/** Connects a raw client, subscribes to `filter`, then stops reading its socket for good. */
async function nonReadingSubscriber(
  test: TestBroker,
  clientId: string,
  options: { qos: 0 | 1; clean: boolean },
): Promise<RawConnection> {
  const raw = await rawConnect(test.broker.listeners[0]!.port);
  raw.socket.write(connectPacket({ clientId, clean: options.clean, keepalive: 0 }));
  await raw.bytes(4); // CONNACK
  raw.socket.write(subscribePacket('#', 1, options.qos));
  await raw.bytes(4 + 5); // SUBACK
  // From here the test reads nothing: Node fills its stream buffer (up to its highWaterMark) and
  // then stops reading the socket; the kernel's buffers fill, then the broker's queue for it.
  raw.socket.pause();
  return raw;
}

/**
 * The test took no byte after the pause, and of the MiBs sent to it Node read into the paused
 * stream's buffer only until that held its highWaterMark (libuv reads up to 64 KiB at a time), then
 * stopped reading the socket.
 */
function expectNotRead(raw: RawConnection, readAtPause: number): void {
  expect(raw.received().length).toBe(readAtPause);
  expect(raw.socket.bytesRead - readAtPause).toBeLessThan(raw.socket.readableHighWaterMark + 64 * 1024);
}

/** Numbers in `load/<n>` payloads the probe received, duplicates (QoS 1 redeliveries) folded. */
function distinct(messages: readonly ReceivedMessage[], prefix: string): Set<string> {
  return new Set(messages.filter((m) => m.payload.startsWith(prefix)).map((m) => m.payload.split(' ')[0]!));
}

/** Publishes `count` messages in batches, each once the probe received the previous one. */
async function publishToProbe(
  publisher: MqttClient,
  seen: readonly ReceivedMessage[],
  count: number,
  qos: 0 | 1,
  prefix: string,
  whileEach?: () => void,
): Promise<void> {
  for (let sent = 0; sent < count;) {
    const batch = Math.min(BATCH, count - sent);
    await Promise.all(
      Array.from({ length: batch }, (_, i) =>
        publisher.publishAsync(`load/${qos}`, `${prefix}${sent + i} ${PAYLOAD}`, { qos }),
      ),
    );
    sent += batch;
    await waitFor(
      () => distinct(seen, prefix).size >= sent,
      `the probe to receive ${sent} messages`,
      WAIT_MS,
    );
    whileEach?.();
  }
}

function latestJson<T>(messages: readonly ReceivedMessage[], topic: string): T | undefined {
  const last = messages.filter((m) => m.topic === topic).at(-1);
  return last === undefined ? undefined : (JSON.parse(last.payload) as T);
}

describe('a subscriber that does not read', () => {
  it('holds up no one: QoS 0 beyond its bounded queue is dropped for it and counted, and it stays connected', async () => {
    const test = await brokers.start(LIMITS, { baseTopic: 'busbar' });
    const slow = await nonReadingSubscriber(test, 'slow', { qos: 0, clean: true });
    const readAtPause = slow.received().length;

    const monitor = await clients.connect(test.url, { clientId: 'monitor' });
    const stats = record(monitor);
    await subscribe(monitor, 'busbar/stats/broker');
    await subscribe(monitor, 'busbar/broker/clients');
    const probe = await clients.connect(test.url, { clientId: 'probe' });
    const seen = record(probe);
    await subscribe(probe, 'load/#', 1);
    const publisher = await clients.connect(test.url, { clientId: 'publisher' });

    const slowIsConnected = (): void => {
      expect(slow.socket.destroyed).toBe(false);
      const connected = (test.broker.aedes as unknown as { clients: Record<string, { connected: boolean }> })
        .clients;
      expect(connected.slow?.connected).toBe(true);
    };
    await publishToProbe(publisher, seen, 3_000, 0, 'q0-', slowIsConnected);
    await publishToProbe(publisher, seen, 2_000, 1, 'q1-', slowIsConnected);

    // Every message reached the probe (checked batch by batch above) while the slow client stayed
    // connected and read nothing at all.
    expect(distinct(seen, 'q0-').size).toBe(3_000);
    expect(distinct(seen, 'q1-').size).toBe(2_000);
    expectNotRead(slow, readAtPause);
    slowIsConnected();

    // Its drops are counted on busbar/stats/broker, and its queue is full, within its bounds.
    await waitFor(
      () => (latestJson<BrokerStats>(stats, 'busbar/stats/broker')?.messagesDropped ?? 0) > 0,
      'drops on busbar/stats/broker',
      WAIT_MS,
    );
    const slowEntry = (): BrokerClientInfo | undefined =>
      latestJson<BrokerClientInfo[]>(stats, 'busbar/broker/clients')?.find((c) => c.clientId === 'slow');
    await waitFor(() => (slowEntry()?.dropped ?? 0) > 0, 'drops in the client list', WAIT_MS);
    const entry = slowEntry()!;
    expect(entry.queuedMessages).toBeGreaterThan(0);
    expect(entry.peakQueuedBytes).toBeLessThanOrEqual(MAX_BYTES);
    expect(entry.peakQueuedMessages).toBeLessThanOrEqual(MAX_MESSAGES);
    const brokerStats = latestJson<BrokerStats>(stats, 'busbar/stats/broker')!;
    expect(brokerStats.queueDisconnects).toBe(0);
    expect(brokerStats.queuedBytes).toBeGreaterThanOrEqual(entry.queuedBytes);

    // The healthy clients lost nothing: their queues never overflowed.
    for (const id of ['probe', 'monitor', 'publisher']) {
      expect(
        latestJson<BrokerClientInfo[]>(stats, 'busbar/broker/clients')?.find((c) => c.clientId === id),
      ).toMatchObject({ dropped: 0 });
    }
    expect(test.log.find('QoS 0 messages beyond its outgoing queue are dropped')).toHaveLength(1);
    slow.destroy();
  }, 120_000);

  it('is disconnected by a QoS 1 message beyond its queue; its persistent session keeps every QoS 1 message', async () => {
    const test = await brokers.start(LIMITS, { baseTopic: 'busbar' });
    const slow = await nonReadingSubscriber(test, 'slow-persistent', { qos: 1, clean: false });
    const readAtPause = slow.received().length;
    const disconnected: string[] = [];
    test.broker.aedes.on('clientDisconnect', (client) => disconnected.push(client.id));

    const monitor = await clients.connect(test.url, { clientId: 'monitor' });
    const stats = record(monitor);
    await subscribe(monitor, 'busbar/stats/broker');
    const probe = await clients.connect(test.url, { clientId: 'probe' });
    const seen = record(probe);
    await subscribe(probe, 'load/#', 1);
    const publisher = await clients.connect(test.url, { clientId: 'publisher' });

    await publishToProbe(publisher, seen, 3_000, 1, 'q1-');
    expect(distinct(seen, 'q1-').size).toBe(3_000);
    // The paused socket cannot see the broker close it (it reads nothing); the broker says so.
    await waitFor(() => disconnected.includes('slow-persistent'), 'the broker to drop the slow client');
    expectNotRead(slow, readAtPause);
    slow.destroy();
    const lines = test.log.find('QoS 1/2 message beyond its outgoing queue, connection closed');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      clientId: 'slow-persistent',
      reason: 'outgoing queue full',
      maxQueuedMessages: MAX_MESSAGES,
      maxQueuedBytes: MAX_BYTES,
    });
    await waitFor(
      () => latestJson<BrokerStats>(stats, 'busbar/stats/broker')?.queueDisconnects === 1,
      'the disconnect on busbar/stats/broker',
      WAIT_MS,
    );

    // Back with the same persistent session, reading this time: every QoS 1 message arrives (at
    // least once), those it never read, those beyond its queue, and those sent while it was away.
    const back = await clients.connect(test.url, { clientId: 'slow-persistent', clean: false });
    const resumed = record(back);
    await publisher.publishAsync('load/1', 'q1-3000 after', { qos: 1 });
    await waitFor(
      () => distinct(resumed, 'q1-').size === 3_001,
      'the session to deliver everything',
      WAIT_MS,
    );
  }, 120_000);
});
