import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  Clients,
  closed,
  publishMarker,
  record,
  subscribe,
  waitFor,
  type ReceivedMessage,
} from '../helpers/mqtt-clients.js';
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

const SYS_TOPICS = [
  '$SYS/broker/version',
  '$SYS/broker/uptime',
  '$SYS/broker/clients/connected',
  '$SYS/broker/clients/total',
  '$SYS/broker/messages/received',
  '$SYS/broker/messages/sent',
  '$SYS/broker/subscriptions/count',
  '$SYS/broker/load/messages/received/1min',
  '$SYS/broker/publish/messages/dropped',
];

/** The latest payload received on each topic. */
function latest(messages: ReceivedMessage[]): Map<string, string> {
  return new Map(messages.map((message) => [message.topic, message.payload]));
}

describe('$SYS statistics', () => {
  it('are published retained under Mosquitto names every sysInterval', async () => {
    const { url } = await brokers.start({ sysInterval: 100 });
    const monitor = await clients.connect(url, { clientId: 'monitor' });
    const seen = record(monitor);
    await subscribe(monitor, '$SYS/broker/#');
    // the first values arrive as retained messages at once
    await waitFor(
      () => SYS_TOPICS.every((topic) => seen.some((m) => m.topic === topic && m.retain)),
      'retained $SYS',
    );

    const values = latest(seen);
    expect(values.get('$SYS/broker/version')).toMatch(
      /^busbar \d+\.\d+\.\d+ \(aedes \d+\.\d+\.\d+(-[\w.]+)?\)$/,
    );
    expect(values.get('$SYS/broker/uptime')).toMatch(/^\d+ seconds$/);
    for (const topic of SYS_TOPICS.slice(2)) expect(Number(values.get(topic))).not.toBeNaN();

    // then they keep coming: counts follow what happens
    const publisher = await clients.connect(url, { clientId: 'publisher', clean: false });
    await subscribe(publisher, 'data/#', 1);
    for (let i = 0; i < 20; i++) await publisher.publishAsync('data/x', String(i), { qos: 1 });
    const before = seen.length;
    await waitFor(() => {
      const now = latest(seen.slice(before));
      return (
        Number(now.get('$SYS/broker/messages/received')) >= 20 &&
        now.get('$SYS/broker/clients/connected') === '2'
      );
    }, 'updated statistics');
    const after = latest(seen.slice(before));
    expect(Number(after.get('$SYS/broker/messages/sent'))).toBeGreaterThanOrEqual(20); // echoed to the publisher
    expect(Number(after.get('$SYS/broker/subscriptions/count'))).toBe(2);
    expect(Number(after.get('$SYS/broker/clients/total'))).toBe(2);
    expect(Number(after.get('$SYS/broker/load/messages/received/1min'))).toBeGreaterThan(0);
    expect(seen.filter((m) => m.topic === '$SYS/broker/uptime' && !m.retain).length).toBeGreaterThan(0);
  });

  it('count persistent sessions of disconnected clients in clients/total', async () => {
    const { url, broker } = await brokers.start({ sysInterval: 50 });
    const sleeper = await clients.connect(url, { clientId: 'sleeper', clean: false });
    await subscribe(sleeper, 'wake/up', 1);
    await sleeper.endAsync();
    const monitor = await clients.connect(url);
    const seen = record(monitor);
    await subscribe(monitor, '$SYS/broker/clients/#');
    await waitFor(() => {
      const values = latest(seen);
      return (
        values.get('$SYS/broker/clients/connected') === '1' && values.get('$SYS/broker/clients/total') === '2'
      );
    }, 'one connected client and one offline session');
    expect(broker.aedes.connectedClients).toBe(1);
  });

  it('also go to <base>/stats/broker as JSON', async () => {
    const { url } = await brokers.start({ sysInterval: 100 }, { baseTopic: 'site1' });
    const monitor = await clients.connect(url);
    const seen = record(monitor);
    await subscribe(monitor, 'site1/stats/broker');
    const documents = (): Record<string, unknown>[] =>
      seen.map((m) => JSON.parse(m.payload) as Record<string, unknown>);
    await waitFor(
      () => documents().some((stats) => stats.clientsConnected === 1),
      'a stats document counting the monitor',
    );
    expect(documents().at(-1)).toMatchObject({
      version: expect.stringMatching(/^busbar /),
      clientsConnected: 1,
      messagesReceived: expect.any(Number),
      messagesDropped: 0,
      queueDisconnects: 0,
      queuedMessages: expect.any(Number),
      queuedBytes: expect.any(Number),
    });
  });

  it('are not sent to a client subscribing to # [MQTT-4.7.2-1]', async () => {
    const { url } = await brokers.start({ sysInterval: 50 });
    const probe = await clients.connect(url);
    const probeSeen = record(probe);
    await subscribe(probe, '$SYS/broker/uptime');
    await waitFor(() => probeSeen.length > 0, 'a retained $SYS message to exist');

    const everything = await clients.connect(url);
    const seen = record(everything);
    await subscribe(everything, '#');
    await subscribe(everything, '$SYS/broker/version'); // a $ filter of its own must not open the others
    await new Promise((resolve) => setTimeout(resolve, 200)); // a few sysIntervals
    await publishMarker(probe, seen, 'marker');
    const dollar = seen.filter((m) => m.topic.startsWith('$'));
    expect(dollar.length).toBeGreaterThan(0);
    expect(dollar.every((m) => m.topic === '$SYS/broker/version')).toBe(true);
  });

  it('cannot be forged by clients: publishing under $SYS/ closes the connection', async () => {
    const { url } = await brokers.start({ sysInterval: 0 });
    const monitor = await clients.connect(url);
    const seen = record(monitor);
    await subscribe(monitor, '$SYS/#');
    await subscribe(monitor, 'marker');
    const forger = await clients.connect(url);
    const dropped = closed(forger);
    forger.publish('$SYS/broker/version', 'mosquitto 1.0');
    await dropped;
    const other = await clients.connect(url);
    await publishMarker(other, seen, 'marker');
    expect(seen.some((m) => m.payload === 'mosquitto 1.0')).toBe(false);
  });
});
