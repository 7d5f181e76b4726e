/**
 * MQTT 5 on busbar's broker with real mqtt.js v5 clients: the features a device or hub relies on,
 * on every listener type, and with the memory and the Redis store alike.
 */
import { readFile } from 'node:fs/promises';
import type { IClientOptions, MqttClient, Packet } from 'mqtt';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../broker/passwords.js';
import { createTestCertificates, type TestCertificates } from '../helpers/tls.js';
import {
  delay,
  publishMarker,
  record,
  subscribeAll,
  waitFor,
  type ReceivedMessage,
} from '../helpers/mqtt-clients.js';
import type { EmbeddedBroker } from '../../broker/broker.js';
import { brokerTestbed, type BrokerInput } from './fixtures.js';
import { rawConnect } from './raw.js';
import mqttPacket from 'mqtt-packet';

const { brokers, clients, onRedis } = brokerTestbed({ redis: true });
let certs: TestCertificates;

beforeAll(async () => {
  certs = await createTestCertificates();
});

// A resumed session on the Redis store is read back before the CONNACK: under a loaded CI machine
// that has taken over 5 s (mqtt.js' default here), so these clients wait longer for it.
const V5: IClientOptions = { protocolVersion: 5, connectTimeout: 30_000 };
const v5 = (options: IClientOptions = {}): IClientOptions => ({ ...V5, ...options });

describe('MQTT 5 on each listener', () => {
  const listeners = (): Record<string, BrokerInput['listeners']> => ({
    tcp: [{ type: 'tcp', host: '127.0.0.1', port: 0 }],
    tls: [{ type: 'tls', host: '127.0.0.1', port: 0, tls: { cert: certs.serverCert, key: certs.serverKey } }],
    ws: [{ type: 'ws', host: '127.0.0.1', port: 0, path: '/mqtt' }],
  });

  for (const type of ['tcp', 'tls', 'ws'] as const) {
    it(`${type}: connects with MQTT 5 and carries properties, topic aliases and user properties`, async () => {
      const { url } = await brokers.start({ listeners: listeners()[type] });
      const tls = type === 'tls' ? { ca: await readFile(certs.caCert), rejectUnauthorized: true } : {};
      const receiver = await clients.connect(url, v5(tls));
      const seen: { topic: string; properties: Record<string, unknown> | undefined }[] = [];
      receiver.on('message', (topic, _payload, packet) =>
        seen.push({ topic, properties: packet.properties as Record<string, unknown> | undefined }),
      );
      await subscribeAll(receiver, { 'devices/#': { qos: 1 } });

      const sender = mqttConnack(url, v5({ ...tls, clientId: `alias-${type}` }));
      const { client, connack } = await sender;
      // busbar advertises its limits: topic aliases, its packet size, shared subscriptions.
      expect(connack.properties).toMatchObject({ topicAliasMaximum: 10, maximumPacketSize: 1024 * 1024 });
      expect(connack.properties?.sharedSubscriptionAvailable).not.toBe(false);
      // The first publish sets alias 1, the second uses it with an empty topic.
      await client.publishAsync('devices/d1/temp', '21', { qos: 1, properties: { topicAlias: 1 } });
      await client.publishAsync('', '22', {
        qos: 1,
        properties: { topicAlias: 1, userProperties: { unit: 'C' }, contentType: 'text/plain' },
      });
      await waitFor(() => seen.length >= 2, 'both messages');
      expect(seen.map((m) => m.topic)).toEqual(['devices/d1/temp', 'devices/d1/temp']);
      expect(seen[1]!.properties).toMatchObject({ userProperties: { unit: 'C' }, contentType: 'text/plain' });
      expect(seen[1]!.properties?.topicAlias).toBeUndefined();
    });
  }
});

/**
 * Waits until the broker has closed the session's connection. A message published while the broker
 * still handles a client's DISCONNECT can go to that closing connection rather than to the session's
 * queue (with the Redis store it is then lost to the session); these tests are about offline queues.
 */
async function offline(broker: EmbeddedBroker, clientId: string): Promise<void> {
  await waitFor(() => !broker.clients.has(clientId), `${clientId} gone from the broker`);
}

/** Connects and returns the client with its CONNACK. */
async function mqttConnack(
  url: string,
  options: IClientOptions,
): Promise<{ client: MqttClient; connack: Packet & { properties?: Record<string, unknown> } }> {
  const { default: mqtt } = await import('mqtt');
  const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 5_000, ...options });
  const connack = await new Promise<Packet & { properties?: Record<string, unknown> }>((resolve, reject) => {
    client.once('connect', resolve);
    client.once('error', reject);
  });
  clientsToEnd.push(client);
  return { client, connack };
}
const clientsToEnd: MqttClient[] = [];
afterEach(async () => {
  await Promise.all(clientsToEnd.splice(0).map((client) => client.endAsync(true)));
});

describe('MQTT 5 logins and refusals', () => {
  const PASSWORD = 'mqtt5-test-password';
  let input: BrokerInput;
  beforeAll(async () => {
    input = {
      users: [{ username: 'alice', password: await hashPassword(PASSWORD) }],
      listeners: [{ type: 'tcp', host: '127.0.0.1', port: 0, allowAnonymous: false }],
      acl: [
        { user: 'alice', topic: 'alice/#' },
        { topic: 'private/#', access: 'subscribe', allow: false },
        { topic: 'shared/#', access: 'subscribe' },
      ],
    };
  });

  it('refuses a wrong password with CONNACK 0x86 and an anonymous client with 0x87', async () => {
    const { url } = await brokers.start(input);
    expect(await clients.refusal(url, v5({ username: 'alice', password: 'wrong' }))).toBe(0x86);
    expect(await clients.refusal(url, v5())).toBe(0x87);
    // MQTT 3.1.1 keeps its return codes.
    expect(await clients.refusal(url, { username: 'alice', password: 'wrong' })).toBe(4);
  });

  it('answers a refused publish with PUBACK 0x87 and keeps the connection', async () => {
    const { url } = await brokers.start(input);
    const alice = await clients.connect(url, v5({ username: 'alice', password: PASSWORD }));
    const seen = record(alice);
    await subscribeAll(alice, { 'alice/#': { qos: 1 } });
    const refused = await new Promise<number | undefined>((resolve) => {
      alice.publish('bob/inbox', 'x', { qos: 1 }, (_error, packet) =>
        resolve((packet as { reasonCode?: number } | undefined)?.reasonCode),
      );
    });
    // mqtt.js hands the PUBACK's reason code over with the error it reports for it.
    expect(refused === 0x87 || refused === undefined).toBe(true);
    const codes: number[] = [];
    alice.on('packetreceive', (packet) => {
      if (packet.cmd === 'puback') codes.push((packet as { reasonCode?: number }).reasonCode ?? 0);
    });
    alice.publish('bob/inbox', 'y', { qos: 1 }, () => undefined);
    await waitFor(() => codes.includes(0x87), 'PUBACK 0x87');
    expect(alice.connected).toBe(true);
    await publishMarker(alice, seen, 'alice/marker');
  });

  it('answers a refused subscription with SUBACK 0x87 and grants the others of the packet', async () => {
    const { url } = await brokers.start(input);
    const alice = await clients.connect(url, v5({ username: 'alice', password: PASSWORD }));
    expect(await subscribeAll(alice, { 'alice/x': { qos: 1 }, 'private/x': { qos: 1 } })).toEqual([1, 0x87]);
    // The same refusal to a 3.1.1 client is its only failure code.
    const old = await clients.connect(url, { username: 'alice', password: PASSWORD, clientId: 'old-alice' });
    expect(await subscribeAll(old, { 'private/x': { qos: 1 } })).toEqual([0x80]);
  });
});

for (const store of ['memory', 'redis'] as const) {
  describe(`MQTT 5 sessions and delivery (${store} store)`, () => {
    let db = 4;
    const start = (extra: BrokerInput = {}) =>
      brokers.start({
        ...(store === 'redis' ? onRedis(db++) : {}),
        ...extra,
      });

    it('delivers a resumed session its queue, also when the session ends with this connection', async () => {
      const { url, broker } = await start();
      const first = await clients.connect(
        url,
        v5({ clientId: `resume-${store}`, clean: true, properties: { sessionExpiryInterval: 300 } }),
      );
      await subscribeAll(first, { 'queue/+': { qos: 1 } });
      await first.endAsync();
      await offline(broker, `resume-${store}`);
      const sender = await clients.connect(url, v5());
      await sender.publishAsync('queue/a', 'one', { qos: 1 });
      await sender.publishAsync('queue/b', 'two', { qos: 1 });
      // Clean Start 0, Session Expiry 0: the session resumes, and ends at this disconnect.
      let seen: ReceivedMessage[] = [];
      await clients.connect(url, v5({ clientId: `resume-${store}`, clean: false }), (again) => {
        seen = record(again);
      });
      await waitFor(() => new Set(seen.map((m) => m.payload)).size >= 2, 'the queued messages');
      // QoS 1 is at least once: a store may hand a message over twice, never lose one.
      expect([...new Set(seen.map((m) => m.payload))].sort()).toEqual(['one', 'two']);
    });

    it('drops a queued message whose expiry passed and gives the rest their remaining lifetime', async () => {
      const { url, broker } = await start();
      const first = await clients.connect(
        url,
        v5({ clientId: `expiry-${store}`, clean: true, properties: { sessionExpiryInterval: 300 } }),
      );
      await subscribeAll(first, { 'expiry/#': { qos: 1 } });
      await first.endAsync();
      await offline(broker, `expiry-${store}`);
      const sender = await clients.connect(url, v5());
      await sender.publishAsync('expiry/short', 'gone', {
        qos: 1,
        properties: { messageExpiryInterval: 1 },
      });
      await sender.publishAsync('expiry/long', 'kept', {
        qos: 1,
        properties: { messageExpiryInterval: 60 },
      });
      await delay(2_100);
      const lifetimes: number[] = [];
      let seen: ReceivedMessage[] = [];
      await clients.connect(url, v5({ clientId: `expiry-${store}`, clean: false }), (again) => {
        seen = record(again);
        again.on('message', (_topic, _payload, packet) =>
          lifetimes.push(Number(packet.properties?.messageExpiryInterval)),
        );
      });
      await waitFor(() => seen.some((m) => m.payload === 'kept'), 'the unexpired queued message');
      await publishMarker(sender, seen, 'expiry/marker');
      expect(seen.map((m) => m.payload)).not.toContain('gone');
      expect(lifetimes[seen.findIndex((m) => m.payload === 'kept')]).toBeLessThan(60);
    });

    it('shares a $share subscription: each message goes to one member of the group', async () => {
      const { url } = await start();
      const a = await clients.connect(url, v5({ clientId: `share-a-${store}` }));
      const b = await clients.connect(url, v5({ clientId: `share-b-${store}` }));
      const plain = await clients.connect(url, v5({ clientId: `share-plain-${store}` }));
      const [seenA, seenB, seenPlain] = [record(a), record(b), record(plain)];
      expect(await subscribeAll(a, { '$share/workers/jobs/#': { qos: 1 } })).toEqual([1]);
      expect(await subscribeAll(b, { '$share/workers/jobs/#': { qos: 1 } })).toEqual([1]);
      await subscribeAll(plain, { 'jobs/#': { qos: 1 } });
      const sender = await clients.connect(url, v5());
      for (let i = 0; i < 20; i++) await sender.publishAsync(`jobs/${i}`, String(i), { qos: 1 });
      await waitFor(() => seenPlain.length >= 20 && seenA.length + seenB.length >= 20, 'every job once');
      await delay(200);
      const shared = [...seenA, ...seenB].map((m) => Number(m.payload)).sort((x, y) => x - y);
      expect(shared).toEqual([...Array(20).keys()]); // each once, none lost (QoS 1 in order here)
      expect(seenA.length).toBeGreaterThan(0);
      expect(seenB.length).toBeGreaterThan(0);
      // A member that leaves: the other gets everything.
      await b.unsubscribeAsync('$share/workers/jobs/#');
      const before = seenA.length;
      for (let i = 0; i < 5; i++) await sender.publishAsync(`jobs/late/${i}`, 'late', { qos: 1 });
      await waitFor(() => seenA.length >= before + 5, 'the late jobs at the remaining member');
    });

    it('holds QoS 1 messages beyond the client Receive Maximum until it acknowledges', async () => {
      const { broker } = await start();
      const port = broker.listeners[0]!.port;
      // A raw client: mqtt.js reads no further packet while one is unacknowledged.
      const slow = await rawConnect(port);
      const publishes: number[] = [];
      const parser = mqttPacket.parser({ protocolVersion: 5 });
      parser.on('packet', (packet) => {
        if (packet.cmd === 'publish') publishes.push(packet.messageId!);
      });
      slow.socket.on('data', (chunk: Buffer) => parser.parse(chunk));
      const send = (packet: mqttPacket.Packet): boolean =>
        slow.socket.write(mqttPacket.generate(packet, { protocolVersion: 5 }));
      send({
        cmd: 'connect',
        protocolVersion: 5,
        clientId: `flow-${store}`,
        clean: true,
        keepalive: 60,
        properties: { receiveMaximum: 2 },
      });
      send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'flow/#', qos: 1 }] });
      const sender = await clients.connect(broker.listeners[0]!.url, v5());
      const seen = record(sender);
      await subscribeAll(sender, { 'flow/#': { qos: 0 } }); // to know the SUBSCRIBE above is in
      await publishMarker(sender, seen, 'flow/marker');
      for (let i = 0; i < 4; i++) await sender.publishAsync(`flow/${i}`, String(i), { qos: 1 });
      await waitFor(() => publishes.length >= 2, 'two messages in flight');
      await publishMarker(sender, seen, 'flow/marker-2');
      expect(publishes.length).toBe(2); // no third before an acknowledgement
      send({ cmd: 'puback', messageId: publishes[0]! });
      await waitFor(() => publishes.length >= 3, 'a third once one is acknowledged');
      for (let next = 1; publishes.length < 6 || next < publishes.length; next++) {
        await waitFor(() => publishes.length > next, 'the next message');
        send({ cmd: 'puback', messageId: publishes[next]! });
      }
      // Everything arrives in turn: the first marker, the four messages, the second marker.
      expect(publishes.length).toBe(6);
      slow.destroy();
    });

    it('does not send a client a message larger than its Maximum Packet Size', async () => {
      const { url } = await start();
      const small = await clients.connect(url, v5({ properties: { maximumPacketSize: 100 } }));
      const seen = record(small);
      await subscribeAll(small, { 'size/#': { qos: 1 } });
      const sender = await clients.connect(url, v5());
      await sender.publishAsync('size/big', 'x'.repeat(200), { qos: 1 });
      await sender.publishAsync('size/small', 'ok', { qos: 1 });
      await waitFor(() => seen.some((m) => m.topic === 'size/small'), 'the small message');
      expect(seen.map((m) => m.topic)).toEqual(['size/small']);
    });

    it('publishes a will without its Will Delay Interval, after the delay', async () => {
      const { url } = await start();
      const watcher = await clients.connect(url, v5());
      const wills: { payload: string; properties: Record<string, unknown> | undefined }[] = [];
      watcher.on('message', (_topic, payload, packet) =>
        wills.push({ payload: payload.toString(), properties: packet.properties as Record<string, unknown> }),
      );
      await subscribeAll(watcher, { 'wills/#': { qos: 1 } });
      const dying = await clients.connect(
        url,
        v5({
          clientId: `will-${store}`,
          properties: { sessionExpiryInterval: 10 },
          will: {
            topic: 'wills/dying',
            payload: Buffer.from('gone'),
            qos: 1,
            retain: false,
            properties: { willDelayInterval: 1, userProperties: { why: 'test' } },
          },
        }),
      );
      dying.stream.destroy(); // no DISCONNECT: the will is due
      await delay(300);
      expect(wills).toEqual([]); // not before its delay
      await waitFor(() => wills.length === 1, 'the will after its delay');
      expect(wills[0]!.properties).toMatchObject({ userProperties: { why: 'test' } });
      expect(wills[0]!.properties?.willDelayInterval).toBeUndefined();
    });
  });
}

describe('MQTT 5 keep-alive', () => {
  it('gives a client asking for a longer keep-alive the broker maximum (Server Keep Alive)', async () => {
    const { url } = await brokers.start({ maxKeepAlive: '60s' });
    const { connack } = await mqttConnack(url, v5({ keepalive: 120 }));
    expect(connack.properties?.serverKeepAlive).toBe(60);
  });
});
