import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../broker/passwords.js';
import { LOG_LEVEL } from '../helpers/log-capture.js';
import { Clients, publishMarker, record, subscribe, subscribeAll, waitFor } from '../helpers/mqtt-clients.js';
import { Brokers, type BrokerInput } from './fixtures.js';

const brokers = new Brokers();
const clients = new Clients();
afterEach(async () => {
  await clients.closeAll();
  await brokers.closeAll();
});
afterAll(async () => {
  await brokers.closeAll();
});

const PASSWORD = 'acl-test-password';
let users: BrokerInput['users'];
beforeAll(async () => {
  const hash = await hashPassword(PASSWORD);
  users = ['alice', 'bob', 'watcher'].map((username) => ({ username, password: hash }));
});

const as = (username: string, clientId = `${username}-1`) => ({ username, password: PASSWORD, clientId });

describe('without ACL rules', () => {
  it('allows every publish and subscription', async () => {
    const { url } = await brokers.start({ users });
    const watcher = await clients.connect(url, as('watcher'));
    const seen = record(watcher);
    expect(await subscribe(watcher, '#')).toBe(0);
    const alice = await clients.connect(url, as('alice'));
    await alice.publishAsync('anything/at/all', 'x');
    await waitFor(() => seen.some((m) => m.topic === 'anything/at/all'), 'the message');
  });
});

describe('with ACL rules', () => {
  const acl: BrokerInput['acl'] = [
    { user: 'watcher', topic: '#', access: 'subscribe' },
    { user: 'watcher', topic: '$SYS/#', access: 'subscribe' },
    { user: 'alice', topic: 'sensors/#', access: 'publish' },
    { topic: 'users/%u/#' },
    { topic: 'clients/%c/status', access: 'publish' },
    { topic: 'sensors/secret/#', allow: false },
    { topic: 'sensors/#', access: 'subscribe' },
    { topic: 'readings/+/temp', access: 'subscribe' },
    { topic: 'rooms/#', access: 'subscribe' },
    { user: '$anonymous', topic: 'public/#', access: 'both' },
  ];

  it('drops a denied publish, keeps the client connected and logs it', async () => {
    const { url, log } = await brokers.start({ users, acl });
    const watcher = await clients.connect(url, as('watcher'));
    const seen = record(watcher);
    await subscribe(watcher, '#');
    const alice = await clients.connect(url, as('alice'));

    await alice.publishAsync('users/bob/inbox', 'not yours', { qos: 1 }); // PUBACKed like Mosquitto does
    await alice.publishAsync('users/alice/inbox', 'mine', { qos: 0 });
    await alice.publishAsync('clients/alice-1/status', 'online');
    await alice.publishAsync('clients/other/status', 'spoofed');
    await publishMarker(alice, seen, 'users/alice/marker');

    expect(seen.map((m) => `${m.topic}=${m.payload}`)).toEqual(
      expect.arrayContaining(['users/alice/inbox=mine', 'clients/alice-1/status=online']),
    );
    expect(
      seen.find((m) => m.topic === 'users/bob/inbox' || m.topic === 'clients/other/status'),
    ).toBeUndefined();
    expect(alice.connected).toBe(true);
    const denied = log.find('publish denied by ACL');
    expect(denied[0]).toMatchObject({
      level: LOG_LEVEL.warn,
      clientId: 'alice-1',
      username: 'alice',
      topic: 'users/bob/inbox',
    });
  });

  it('does not store a denied retained message', async () => {
    const { url } = await brokers.start({ users, acl });
    const alice = await clients.connect(url, as('alice'));
    await alice.publishAsync('users/bob/card', 'forged', { qos: 1, retain: true });
    await alice.publishAsync('users/alice/card', 'real', { qos: 1, retain: true });
    const watcher = await clients.connect(url, as('watcher'));
    const seen = record(watcher);
    await subscribe(watcher, 'users/#');
    await waitFor(() => seen.some((m) => m.topic === 'users/alice/card'), 'the retained message');
    await publishMarker(alice, seen, 'users/alice/marker');
    expect(seen.map((m) => m.topic)).not.toContain('users/bob/card');
  });

  it('grants a subscription a rule covers whole, refuses one no rule allows any of (SUBACK 0x80)', async () => {
    const { url } = await brokers.start({ users, acl });
    const bob = await clients.connect(url, as('bob'));
    expect(await subscribe(bob, 'rooms/+/temp', 1)).toBe(1); // covered by rooms/#
    expect(await subscribe(bob, 'readings/kitchen/temp')).toBe(0); // covered by readings/+/temp
    expect(await subscribe(bob, 'users/bob/#')).toBe(0);
    expect(await subscribe(bob, 'users/alice/#')).toBe(128); // no rule allows any of it
    expect(bob.connected).toBe(true);
  });

  it('grants a subscription the rules allow in part, and delivers only the topics they allow (as Mosquitto)', async () => {
    const { url } = await brokers.start({ users, acl });
    const bob = await clients.connect(url, as('bob'));
    const seen = record(bob);
    expect(await subscribe(bob, 'users/+/inbox')).toBe(0); // only users/bob/inbox is bob's
    expect(await subscribe(bob, 'sensors/#')).toBe(0); // all but sensors/secret/...
    const alice = await clients.connect(url, as('alice'));
    await alice.publishAsync('users/alice/inbox', 'for alice', { qos: 1 });
    await alice.publishAsync('sensors/secret/key', 'hidden', { qos: 1 });
    await alice.publishAsync('sensors/hall/temp', '21', { qos: 1 });
    await bob.publishAsync('users/bob/inbox', 'for bob', { qos: 1 });
    await publishMarker(alice, seen, 'sensors/public/marker');
    expect(seen.map((m) => `${m.topic}=${m.payload}`)).toEqual(
      expect.arrayContaining(['users/bob/inbox=for bob', 'sensors/hall/temp=21']),
    );
    expect(seen.map((m) => m.topic)).not.toContain('users/alice/inbox');
    expect(seen.map((m) => m.topic)).not.toContain('sensors/secret/key');
  });

  it('answers each filter of one SUBSCRIBE on its own', async () => {
    const { url } = await brokers.start({ users, acl });
    const bob = await clients.connect(url, as('bob'));
    const granted = await subscribeAll(bob, {
      'users/bob/a': { qos: 1 },
      'users/alice/a': { qos: 1 },
      'sensors/x': { qos: 0 },
    });
    expect(granted).toEqual([1, 128, 0]);
  });

  it('applies $anonymous rules to clients without username only', async () => {
    const { url } = await brokers.start({ users, acl });
    const anonymous = await clients.connect(url, { clientId: 'anon-1' });
    expect(await subscribe(anonymous, 'public/#')).toBe(0);
    expect(await subscribe(anonymous, 'users/+/inbox')).toBe(128);
    const bob = await clients.connect(url, as('bob'));
    expect(await subscribe(bob, 'public/#')).toBe(128);
  });

  it('denies what no rule matches', async () => {
    const { url } = await brokers.start({ users, acl });
    const bob = await clients.connect(url, as('bob'));
    expect(await subscribe(bob, 'elsewhere/#')).toBe(128);
  });

  it('logs denied publishes at a bounded rate', async () => {
    const { url, log } = await brokers.start({ users, acl });
    const watcher = await clients.connect(url, as('watcher'));
    const seen = record(watcher);
    await subscribe(watcher, 'users/#');
    const alice = await clients.connect(url, as('alice'));
    for (let i = 0; i < 200; i++) alice.publish('users/bob/flood', String(i));
    await publishMarker(alice, seen, 'users/alice/marker');
    const lines = log.find('publish denied by ACL');
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.length).toBeLessThanOrEqual(12);
    expect(seen.some((m) => m.topic === 'users/bob/flood')).toBe(false);
  });

  it('keeps refusing $SYS publishes from clients, even those allowed to subscribe there', async () => {
    const { url } = await brokers.start({ users, acl: [{ topic: '#' }, { topic: '$SYS/#' }] });
    const client = await clients.connect(url, as('alice'));
    const seen = record(client);
    expect(await subscribe(client, '$SYS/#')).toBe(0);
    const dropped = new Promise<void>((resolve) => client.once('close', () => resolve()));
    client.publish('$SYS/broker/uptime', 'forever');
    await dropped; // Aedes closes the connection of a client publishing under $SYS/ (aedes#597)
    expect(seen.some((m) => m.payload === 'forever')).toBe(false);
  });
});
