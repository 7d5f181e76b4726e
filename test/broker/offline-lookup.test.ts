/**
 * busbar's patches of Aedes, aedes-persistence and aedes-persistence-redis: for every QoS 1/2
 * message, Aedes asks its store which persistent sessions must keep a copy. The stores answer that
 * from a trie held in memory, so the patched ones also answer it without a promise
 * (`subscriptionsByTopicSync`), and without a walk of the trie when no persistent session has a
 * subscription. What must hold: the same answer as the asynchronous lookup; a message for an
 * offline persistent session still kept for it, with memory and with Redis (the Redis store's trie
 * is fed by the other brokers' broadcasts); and the broker no longer takes the asynchronous path.
 */
import type { Aedes } from 'aedes';
import { describe, expect, it } from 'vitest';
import { messageOn, record, subscribe } from '../helpers/mqtt-clients.js';
import { brokerTestbed, type BrokerInput, type TestBroker } from './fixtures.js';

interface Subscription {
  readonly clientId: string;
  readonly topic: string;
  readonly qos: number;
}
interface OfflineLookup {
  subscriptionsByTopic(topic: string): Promise<Subscription[]>;
  subscriptionsByTopicSync?(topic: string): Subscription[];
}

const { brokers, clients, onRedis } = brokerTestbed({ redis: true });

const storeOf = (started: TestBroker): OfflineLookup =>
  (started.broker.aedes as Aedes & { persistence: OfflineLookup }).persistence;

/** Counts the broker's calls of the asynchronous lookup from now on. */
function countAsyncLookups(store: OfflineLookup): { readonly calls: number } {
  const counter = { calls: 0 };
  const lookup = store.subscriptionsByTopic.bind(store);
  store.subscriptionsByTopic = (topic) => {
    counter.calls++;
    return lookup(topic);
  };
  return counter;
}

const sorted = (subs: Subscription[]): string[] =>
  subs.map((sub) => `${sub.clientId} ${sub.topic} ${sub.qos}`).sort();

const stores: [string, (db: number) => BrokerInput][] = [
  ['memory', () => ({})],
  ['redis', onRedis],
];

describe.each(stores)('offline queues looked up at once (%s)', (name, input) => {
  const db = name === 'redis' ? 5 : 0;

  it('answers as the asynchronous lookup does, with and without persistent subscriptions', async () => {
    const started = await brokers.start(input(db));
    const store = storeOf(started);
    expect(typeof store.subscriptionsByTopicSync).toBe('function');
    expect(store.subscriptionsByTopicSync!('plant/a/temp')).toEqual([]);

    const keeper = await clients.connect(started.url, { clientId: `keeper-${name}`, clean: false });
    await subscribe(keeper, 'plant/+/temp', 1);
    await subscribe(keeper, 'plant/#', 0);
    const passer = await clients.connect(started.url, { clientId: `passer-${name}` }); // clean: not stored
    await subscribe(passer, 'plant/a/temp', 1);

    for (const topic of ['plant/a/temp', 'plant/b', 'other/x', 'plant']) {
      const now = store.subscriptionsByTopicSync!(topic);
      expect(sorted(now)).toEqual(sorted(await store.subscriptionsByTopic(topic)));
    }
    // Only the persistent session's QoS 1 subscription: a QoS 0 one keeps nothing offline.
    expect(sorted(store.subscriptionsByTopicSync!('plant/a/temp'))).toEqual([
      `keeper-${name} plant/+/temp 1`,
    ]);
    expect(store.subscriptionsByTopicSync!('other/x')).toEqual([]);
  });

  it('keeps a QoS 1 message for an offline persistent session without the asynchronous lookup', async () => {
    const started = await brokers.start(input(db + 1));
    const lookups = countAsyncLookups(storeOf(started));
    const clientId = `offline-${name}`;
    const device = await clients.connect(started.url, { clientId, clean: false });
    expect(await subscribe(device, 'cmd/+', 1)).toBe(1);
    await device.endAsync();

    const sender = await clients.connect(started.url, { clientId: `sender-${name}` });
    await sender.publishAsync('cmd/reboot', 'now', { qos: 1 });
    await sender.publishAsync('elsewhere/x', 'not for it', { qos: 1 });

    const back = await clients.connect(started.url, { clientId, clean: false });
    const seen = record(back);
    expect(await messageOn(seen, 'cmd/reboot')).toMatchObject({ payload: 'now', qos: 1 });
    expect(seen.some((message) => message.topic === 'elsewhere/x')).toBe(false);
    expect(lookups.calls).toBe(0);
  });
});

describe('offline queues looked up at once, two brokers on one Redis', () => {
  it('keeps a message published on one broker for a session whose subscription was made on the other', async () => {
    const a = await brokers.start(onRedis(7));
    const b = await brokers.start(onRedis(7));
    const device = await clients.connect(a.url, { clientId: 'roamer', clean: false });
    expect(await subscribe(device, 'cmd/roamer', 1)).toBe(1);
    await device.endAsync();

    // b learns the subscription through a's broadcast: wait until its trie has it.
    const storeB = storeOf(b);
    const deadline = Date.now() + 10_000;
    while (storeB.subscriptionsByTopicSync!('cmd/roamer').length === 0) {
      if (Date.now() > deadline) throw new Error('broker b never learned the subscription of roamer');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const sender = await clients.connect(b.url, { clientId: 'sender-b' });
    await sender.publishAsync('cmd/roamer', 'wake', { qos: 1 });

    const back = await clients.connect(a.url, { clientId: 'roamer', clean: false });
    expect(await messageOn(record(back), 'cmd/roamer')).toMatchObject({ payload: 'wake', qos: 1 });
  });
});
