/**
 * Overlapping subscriptions of one MQTT 5 client: the broker sends one copy of a message, and it
 * carries the identifier of every subscription that matches (MQTT-3.3.4-3/4), whichever of them
 * delivers it, including one without an identifier.
 */
import type { MqttClient } from 'mqtt';
import { expect, it } from 'vitest';
import {
  publishMarker,
  record,
  subscribeAll,
  waitFor,
  type ReceivedMessage,
} from '../helpers/mqtt-clients.js';
import { brokerTestbed } from './fixtures.js';

const { brokers, clients, onRedis } = brokerTestbed({ redis: true });

interface Identified extends ReceivedMessage {
  ids: number[];
}

function recordIds(client: MqttClient): Identified[] {
  const seen: Identified[] = [];
  client.on('message', (topic, payload, packet) => {
    const ids = packet.properties?.subscriptionIdentifier;
    seen.push({
      topic,
      payload: payload.toString(),
      qos: packet.qos,
      retain: packet.retain,
      ids: ids === undefined ? [] : [ids].flat().sort((a, b) => a - b),
    });
  });
  return seen;
}

async function subscribeWithId(client: MqttClient, filter: string, id?: number): Promise<void> {
  const properties = id === undefined ? {} : { properties: { subscriptionIdentifier: id } };
  await client.subscribeAsync(filter, { qos: 1, ...properties });
}

it('sends one copy of a message that matches several subscriptions, with each of their identifiers', async () => {
  const { url } = await brokers.start();
  const client = await clients.connect(url, { protocolVersion: 5 });
  const seen = recordIds(client);
  await subscribeWithId(client, 'plant/+/temp', 2);
  await subscribeWithId(client, 'plant/#', 3);
  await subscribeWithId(client, 'plant/a/temp'); // no identifier
  await subscribeWithId(client, 'plant/b/+', 4);
  const sender = await clients.connect(url, { protocolVersion: 5 });
  await sender.publishAsync('plant/a/temp', 'both', { qos: 1 });
  await sender.publishAsync('plant/b/temp', 'three', { qos: 1 });
  await sender.publishAsync('plant/a/hum', 'one', { qos: 1 });
  await publishMarker(sender, seen, 'plant/marker');

  const byPayload = (payload: string): Identified[] => seen.filter((m) => m.payload === payload);
  expect(byPayload('both').map((m) => m.ids)).toEqual([[2, 3]]);
  expect(byPayload('three').map((m) => m.ids)).toEqual([[2, 3, 4]]);
  expect(byPayload('one').map((m) => m.ids)).toEqual([[3]]);
});

it('leaves out a subscription that ended and one of a share group', async () => {
  const { url } = await brokers.start();
  const client = await clients.connect(url, { protocolVersion: 5 });
  const seen = recordIds(client);
  await subscribeWithId(client, 'line/#', 1);
  await subscribeWithId(client, 'line/+', 2);
  await subscribeWithId(client, '$share/g/line/x', 5);
  await client.unsubscribeAsync('line/+');
  const sender = await clients.connect(url, { protocolVersion: 5 });
  await sender.publishAsync('line/x', 'x', { qos: 1 });
  await publishMarker(sender, seen, 'line/marker');
  // The group's copy is a delivery of its own (MQTT 5 §4.8.2), with its identifier alone.
  const copies = seen.filter((m) => m.payload === 'x').map((m) => m.ids);
  expect(copies.sort((a, b) => a[0]! - b[0]!)).toEqual([[1], [5]]);
});

it('shares a $share subscription among MQTT 3.1.1 clients too, as Mosquitto does', async () => {
  const { url } = await brokers.start();
  const [a, b] = [await clients.connect(url), await clients.connect(url)];
  const [seenA, seenB] = [record(a), record(b)];
  expect(await subscribeAll(a, { '$share/pool/jobs/+': { qos: 1 } })).toEqual([1]);
  expect(await subscribeAll(b, { '$share/pool/jobs/+': { qos: 1 } })).toEqual([1]);
  expect(await subscribeAll(b, { '$share//bad': { qos: 1 } })).toEqual([128]);
  const sender = await clients.connect(url);
  for (let i = 0; i < 10; i++) await sender.publishAsync(`jobs/${i}`, String(i), { qos: 1 });
  const watcher = await clients.connect(url);
  const marks = record(watcher);
  await subscribeAll(watcher, { 'jobs/+': { qos: 1 } });
  await publishMarker(sender, marks, 'jobs/marker');
  const shared = [...seenA, ...seenB].filter((m) => m.topic !== 'jobs/marker').map((m) => Number(m.payload));
  expect(shared.sort((x, y) => x - y)).toEqual([...Array(10).keys()]);
  expect(seenA.length).toBeGreaterThan(0);
  expect(seenB.length).toBeGreaterThan(0);
  // Leaving the group: the other member gets the rest.
  await a.unsubscribeAsync('$share/pool/jobs/+');
  const before = seenB.length;
  for (let i = 0; i < 3; i++) await sender.publishAsync(`jobs/late${i}`, 'late', { qos: 1 });
  await publishMarker(sender, marks, 'jobs/marker2');
  expect(seenB.filter((m) => m.payload === 'late').length).toBe(3);
  expect(seenB.length).toBeGreaterThanOrEqual(before + 3);
});

/**
 * A broker on `store`, and a persistent MQTT 5 session `clientId` that subscribed with identifiers
 * (`[filter, id]`) and went offline. `resume()` connects it again and records what it receives.
 */
async function offlineSession(
  store: 'memory' | 'redis',
  clientId: string,
  subscriptions: [string, number][],
): Promise<{ url: string; resume(): Promise<Identified[]> }> {
  const { url, broker } = await brokers.start(store === 'redis' ? onRedis() : {});
  const session = { protocolVersion: 5 as const, clientId, clean: false };
  const first = await clients.connect(url, { ...session, properties: { sessionExpiryInterval: 300 } });
  for (const [filter, id] of subscriptions) await subscribeWithId(first, filter, id);
  await first.endAsync();
  await waitFor(() => !broker.clients.has(clientId), 'the session offline');
  return {
    url,
    async resume() {
      let seen: Identified[] = [];
      await clients.connect(url, session, (again) => {
        seen = recordIds(again);
      });
      return seen;
    },
  };
}

for (const store of ['memory', 'redis'] as const) {
  it(`gives a resumed session's restored subscriptions their identifiers (${store} store)`, async () => {
    const offline = await offlineSession(store, `ids-${store}`, [
      ['room/+', 7],
      ['room/#', 8],
    ]);
    const seen = await offline.resume();
    const sender = await clients.connect(offline.url, { protocolVersion: 5 });
    await sender.publishAsync('room/a', 'live', { qos: 1 });
    await publishMarker(sender, seen, 'room/marker');
    expect(seen.filter((m) => m.payload === 'live').map((m) => m.ids)).toEqual([[7, 8]]);
  });

  it(`gives messages queued for an offline session their identifiers when it resumes (${store} store)`, async () => {
    const offline = await offlineSession(store, `queued-ids-${store}`, [
      ['room/+', 7],
      ['room/#', 8],
      ['hall/#', 9],
    ]);
    const sender = await clients.connect(offline.url, { protocolVersion: 5 });
    await sender.publishAsync('room/a', 'both', { qos: 1 });
    await sender.publishAsync('room/a/b', 'deep', { qos: 1 });
    await sender.publishAsync('hall/x', 'hall', { qos: 1 });
    const seen = await offline.resume();
    // QoS 1 is at least once: a copy may come twice, each with the same identifiers; so what is
    // waited for is each message, not a count.
    const queued = ['both', 'deep', 'hall'];
    await waitFor(() => queued.every((p) => seen.some((m) => m.payload === p)), 'the queued messages');
    const byPayload = (payload: string): number[][] =>
      seen.filter((m) => m.payload === payload).map((m) => m.ids);
    expect(new Set(byPayload('both').map((ids) => ids.join()))).toEqual(new Set(['7,8']));
    expect(new Set(byPayload('deep').map((ids) => ids.join()))).toEqual(new Set(['8']));
    expect(new Set(byPayload('hall').map((ids) => ids.join()))).toEqual(new Set(['9']));
  });
}
