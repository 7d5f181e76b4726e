/**
 * The retained client list on busbar/broker/clients: real clients over TCP connect and disconnect,
 * the list follows; it names users but never carries a password; bursts are coalesced. Each entry
 * counts the messages the client published and was sent, and its publish rate; the list follows
 * the counts every sysInterval, and only while they change.
 */
import type { Aedes } from 'aedes';
import type { MqttClient } from 'mqtt';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startClientsPublisher, type BrokerClientInfo } from '../../broker/clients-publisher.js';
import { hashPassword } from '../../broker/passwords.js';
import { captureLog } from '../helpers/log-capture.js';
import { Clients, record, subscribe, waitFor, type ReceivedMessage } from '../helpers/mqtt-clients.js';
import { Brokers } from './fixtures.js';

const brokers = new Brokers();
const clients = new Clients();
afterEach(async () => {
  await clients.closeAll();
  await brokers.closeAll();
});
afterAll(async () => {
  await brokers.closeAll();
});

const TOPIC = 'busbar/broker/clients';
const PASSWORD = 'sensor-secret-4711';

function lists(messages: readonly ReceivedMessage[]): BrokerClientInfo[][] {
  return messages
    .filter((message) => message.topic === TOPIC)
    .map((message) => JSON.parse(message.payload) as BrokerClientInfo[]);
}

function latest(messages: readonly ReceivedMessage[]): BrokerClientInfo[] {
  return lists(messages).at(-1) ?? [];
}

const ids = (list: readonly BrokerClientInfo[]): string[] => list.map((client) => client.clientId);

const entry = (
  list: readonly BrokerClientInfo[] | undefined,
  clientId: string,
): BrokerClientInfo | undefined => list?.find((client) => client.clientId === clientId);

/**
 * Every payload published on `topic`, seen in-process: an MQTT subscriber would be a client whose
 * own `delivered` count changes with each list.
 */
async function observe(aedes: Aedes, topic: string): Promise<string[]> {
  const payloads: string[] = [];
  await new Promise<void>((resolve) =>
    aedes.subscribe(
      topic,
      (packet, callback) => {
        payloads.push(packet.payload.toString());
        callback();
      },
      () => resolve(),
    ),
  );
  return payloads;
}

const parsed = (payloads: readonly string[]): BrokerClientInfo[][] =>
  payloads.map((payload) => JSON.parse(payload) as BrokerClientInfo[]);

/** Publishes `count` messages at QoS 1, each acknowledged, so the broker has counted them all. */
async function publishMany(client: MqttClient, topic: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) await client.publishAsync(topic, String(i), { qos: 1 });
}

describe('broker client list', () => {
  it('follows clients connecting and disconnecting, with who, where from and how', async () => {
    const { url, broker } = await brokers.start({
      users: [{ username: 'sensor', password: await hashPassword(PASSWORD) }],
    });
    const port = broker.listeners[0]!.port;
    const monitor = await clients.connect(url, { clientId: 'monitor' });
    const seen = record(monitor);
    await subscribe(monitor, TOPIC);
    await waitFor(() => ids(latest(seen)).includes('monitor'), 'the monitor in the list');

    const before = Date.now();
    const alpha = await clients.connect(url, {
      clientId: 'alpha',
      username: 'sensor',
      password: PASSWORD,
      clean: false,
    });
    await subscribe(alpha, 'a/#');
    await subscribe(alpha, 'b/+');
    await clients.connect(url, { clientId: 'beta' });
    await waitFor(() => {
      const list = latest(seen);
      return (
        list.find((client) => client.clientId === 'alpha')?.subscriptions === 2 && ids(list).includes('beta')
      );
    }, 'alpha with two subscriptions, and beta');

    const list = latest(seen);
    expect(ids(list)).toEqual(['alpha', 'beta', 'monitor']);
    const entry = list[0]!;
    expect(entry).toEqual({
      clientId: 'alpha',
      username: 'sensor',
      remoteAddress: expect.stringMatching(/127\.0\.0\.1$/),
      listener: `tcp 127.0.0.1:${port}`,
      protocol: 'MQTT 3.1.1',
      cleanSession: false,
      connectedSince: expect.any(String),
      subscriptions: 2,
      published: 0,
      delivered: 0,
      publishedPerSecond: 0,
      queuedMessages: 0,
      queuedBytes: 0,
      peakQueuedMessages: 0,
      peakQueuedBytes: 0,
      dropped: 0,
    });
    const since = Date.parse(entry.connectedSince);
    expect(since).toBeGreaterThanOrEqual(before - 5);
    expect(since).toBeLessThanOrEqual(Date.now());
    expect(list[1]).toMatchObject({ clientId: 'beta', username: null, subscriptions: 0, cleanSession: true });
    for (const message of seen) expect(message.payload).not.toContain(PASSWORD);

    await alpha.endAsync();
    await waitFor(() => !ids(latest(seen)).includes('alpha'), 'alpha gone from the list');
    expect(ids(latest(seen))).toEqual(['beta', 'monitor']);

    // Retained: a client arriving later gets the current list at once.
    const late = await clients.connect(url, { clientId: 'late' });
    const lateSeen = record(late);
    await subscribe(late, TOPIC);
    await waitFor(() => lateSeen.some((message) => message.topic === TOPIC), 'the retained list');
    expect(lateSeen[0]!.retain).toBe(true);
    expect(ids(JSON.parse(lateSeen[0]!.payload) as BrokerClientInfo[])).toContain('beta');
  });

  it('coalesces a burst of connections into at most one list a second', async () => {
    const { url } = await brokers.start();
    const monitor = await clients.connect(url, { clientId: 'monitor' });
    const seen = record(monitor);
    await subscribe(monitor, TOPIC);
    await waitFor(() => ids(latest(seen)).includes('monitor'), 'the monitor in the list');
    const first = seen.length;
    const burst = Array.from({ length: 8 }, (_, i) => `burst-${i}`);
    const started = Date.now();
    await Promise.all(burst.map((clientId) => clients.connect(url, { clientId })));
    await waitFor(() => burst.every((id) => ids(latest(seen)).includes(id)), 'every burst client listed');
    const elapsed = Date.now() - started;
    // 8 connections: one list at once, then one per second at most while the burst lasts. The bound
    // grows with the time the burst took, so a slow (loaded) machine loosens it rather than breaks it.
    const published = lists(seen.slice(first)).length;
    expect(published).toBeGreaterThanOrEqual(1);
    expect(published).toBeLessThanOrEqual(2 + Math.floor(elapsed / 1000));
  });
});

describe('broker client list: message counts', () => {
  it('counts what each client published and was sent, follows the counts live, then goes quiet', async () => {
    const { url, broker } = await brokers.start({ sysInterval: '200ms' });
    const seen = await observe(broker.aedes, TOPIC);
    const ticks = await observe(broker.aedes, '$SYS/broker/uptime');
    const talker = await clients.connect(url, { clientId: 'talker' });
    const listener = await clients.connect(url, { clientId: 'listener' });
    const heard = record(listener);
    await subscribe(listener, 'talk/a');
    await waitFor(
      () =>
        entry(parsed(seen).at(-1), 'listener')?.subscriptions === 1 &&
        ids(parsed(seen).at(-1) ?? []).includes('talker'),
      'both clients listed',
    );

    // 12 messages reach the listener, 18 go to a topic nobody subscribed to.
    await publishMany(talker, 'talk/a', 12);
    await publishMany(talker, 'talk/b', 18);
    await waitFor(() => heard.length === 12, 'the listener receiving its 12 messages');
    // No connect or subscribe from here: only the periodic refresh can publish the new counts.
    await waitFor(() => {
      const list = parsed(seen).at(-1);
      return entry(list, 'talker')?.published === 30 && entry(list, 'listener')?.delivered === 12;
    }, 'the counts in the list');
    const counted = parsed(seen).at(-1)!;
    expect(entry(counted, 'talker')).toMatchObject({ published: 30, delivered: 0 });
    expect(entry(counted, 'listener')).toMatchObject({ published: 0, delivered: 12 });

    // 30 messages within a window of at least half a second: a rate above 0, at most 60 a second.
    const rates = parsed(seen).map((list) => entry(list, 'talker')?.publishedPerSecond ?? 0);
    expect(Math.max(...rates)).toBeGreaterThan(0);
    expect(Math.max(...rates)).toBeLessThanOrEqual(60);
    expect(entry(counted, 'listener')?.publishedPerSecond).toBe(0);

    // Idle: the rate falls back to 0 on the next list, counts unchanged.
    await waitFor(() => entry(parsed(seen).at(-1), 'talker')?.publishedPerSecond === 0, 'the rate back to 0');
    expect(entry(parsed(seen).at(-1), 'talker')).toMatchObject({ published: 30, delivered: 0 });
    expect(entry(parsed(seen).at(-1), 'listener')).toMatchObject({ published: 0, delivered: 12 });

    // Nothing changes now: ten statistics intervals (each also a refresh) pass without a list.
    const lists = seen.length;
    const tick = ticks.length;
    await waitFor(() => ticks.length >= tick + 10, 'ten $SYS intervals', 10_000);
    expect(seen.length).toBe(lists);
  });

  it('measures the rate over the time between two lists, not over a list built just after another', async () => {
    const { url, broker } = await brokers.start();
    let clock = 0;
    const topic = 'test/clients-clocked';
    const seen = await observe(broker.aedes, topic);
    const publisher = startClientsPublisher({
      aedes: broker.aedes,
      clients: broker.clients,
      connections: new WeakMap(),
      topic,
      log: captureLog('warn').logger,
      minIntervalMs: 1_000,
      now: () => clock,
    });
    try {
      const listed = (clientId: string): BrokerClientInfo | undefined => entry(parsed(seen).at(-1), clientId);
      // Without a refresh interval, each connect makes one list, at once when the clock allows.
      clock = 1_000;
      const talker = await clients.connect(url, { clientId: 'talker' });
      await waitFor(() => listed('talker') !== undefined, 'the talker listed');
      expect(listed('talker')).toMatchObject({ published: 0, publishedPerSecond: 0 });

      await publishMany(talker, 'talk', 30);
      clock = 3_000;
      await clients.connect(url, { clientId: 'nudge-1' });
      await waitFor(() => listed('nudge-1') !== undefined, 'the list after two seconds');
      expect(listed('talker')).toMatchObject({ published: 30, publishedPerSecond: 15 });

      // 250 ms later: too short a window, so the count moves and the rate stays.
      await publishMany(talker, 'talk', 5);
      clock = 3_250;
      await clients.connect(url, { clientId: 'nudge-2' });
      await waitFor(() => listed('nudge-2') !== undefined, 'the list after 250 ms');
      expect(listed('talker')).toMatchObject({ published: 35, publishedPerSecond: 15 });

      // Two seconds after the window began: 5 messages, 2.5 a second.
      clock = 5_000;
      await clients.connect(url, { clientId: 'nudge-3' });
      await waitFor(() => listed('nudge-3') !== undefined, 'the list two seconds after the last window');
      expect(listed('talker')).toMatchObject({ published: 35, publishedPerSecond: 2.5 });
    } finally {
      publisher.stop();
    }
  });
});

describe('broker client list: bounded', () => {
  it('lists the most active clients up to its cap, and never more bytes than a client may receive', async () => {
    const { url, broker } = await brokers.start();
    const topic = 'test/clients-capped';
    const seen = await observe(broker.aedes, topic);
    const maxBytes = 2_000;
    const publisher = startClientsPublisher({
      aedes: broker.aedes,
      clients: broker.clients,
      connections: new WeakMap(),
      topic,
      log: captureLog('warn').logger,
      minIntervalMs: 10,
      maxListed: 4,
      maxBytes,
    });
    try {
      const quiet = await Promise.all(
        Array.from({ length: 6 }, (_, i) => clients.connect(url, { clientId: `quiet-${i}` })),
      );
      const busy = await Promise.all(
        Array.from({ length: 3 }, (_, i) => clients.connect(url, { clientId: `busy-${i}` })),
      );
      for (const [i, client] of busy.entries()) await publishMany(client, 'talk', 5 + i);
      // A connect makes a new list, with the counts as they are now.
      await clients.connect(url, { clientId: 'last' });
      const last = (): BrokerClientInfo[] => parsed(seen).at(-1) ?? [];
      await waitFor(
        () => ['busy-0', 'busy-1', 'busy-2'].every((id) => ids(last()).includes(id)),
        'the busy clients listed',
      );
      expect(quiet).toHaveLength(6);
      // 10 clients connected, 4 listed: the three busy ones and one other, in client id order.
      expect(last()).toHaveLength(4);
      expect(ids(last()).slice(0, 3)).toEqual(['busy-0', 'busy-1', 'busy-2']);
      for (const payload of seen) expect(Buffer.byteLength(payload)).toBeLessThanOrEqual(maxBytes);
    } finally {
      publisher.stop();
    }
  });
});
