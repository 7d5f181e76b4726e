/**
 * The retained client list on busbar/broker/clients: real clients over TCP connect and disconnect,
 * the list follows; it names users but never carries a password; bursts are coalesced.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { BrokerClientInfo } from '../../broker/clients-publisher.js';
import { hashPassword } from '../../broker/passwords.js';
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
    // 8 connections: one list at once, then one per second at most while the burst lasts.
    const published = lists(seen.slice(first)).length;
    expect(published).toBeGreaterThanOrEqual(1);
    expect(published).toBeLessThanOrEqual(2 + Math.floor(elapsed / 1000));
    expect(published).toBeLessThan(burst.length);
  });
});
