/** `reloadCredentials`: the broker's users and ACL swapped in while clients stay connected. */
import { afterEach, beforeAll, expect, it } from 'vitest';
import { hashPassword } from '../../broker/passwords.js';
import { ReloadRefused } from '../../broker/reload.js';
import { Clients } from '../helpers/mqtt-clients.js';
import { Brokers } from './fixtures.js';

const brokers = new Brokers();
const clients = new Clients();
afterEach(async () => {
  await clients.closeAll();
  await brokers.closeAll();
});

let aliceHash: string;
let bobHash: string;
beforeAll(async () => {
  [aliceHash, bobHash] = await Promise.all([hashPassword('alice-secret-1'), hashPassword('bob-secret-22')]);
});

const acl = [{ user: '*', topic: 'shared/#', access: 'both' as const, allow: true }];

it('disconnects a client whose password changed, and lets the new password in', async () => {
  const users = [
    { username: 'alice', password: aliceHash, component: false },
    { username: 'bob', password: bobHash, component: false },
  ];
  const { broker, url, log } = await brokers.start({ users, acl });
  const alice = await clients.connect(url, {
    username: 'alice',
    password: 'alice-secret-1',
    protocolVersion: 5,
  });
  // MQTT 3.1.1 has no DISCONNECT from the server: the connection is closed.
  const bob = await clients.connect(url, { username: 'bob', password: 'bob-secret-22' });
  const aliceReason = new Promise<number | undefined>((resolve) =>
    alice.once('disconnect', (packet) => resolve(packet.reasonCode)),
  );
  const bobClosed = new Promise<void>((resolve) => bob.once('close', () => resolve()));

  const newHash = await hashPassword('alice-secret-2');
  const summary = broker.reloadCredentials({ users: [{ ...users[0]!, password: newHash }], acl });
  expect(summary).toMatchObject({ users: 1, clientsDisconnected: 2 });
  expect(await aliceReason).toBe(0x98);
  await bobClosed;
  expect(log.find('MQTT client disconnected: its login was withdrawn').map((entry) => entry.reason)).toEqual(
    expect.arrayContaining(['password changed', 'user removed']),
  );
  // The credential cache forgets the old password at once.
  expect(await clients.refusal(url, { username: 'alice', password: 'alice-secret-1' })).toBe(4);
  const again = await clients.connect(url, { username: 'alice', password: 'alice-secret-2' });
  expect(again.connected).toBe(true);
  expect(log.text()).not.toContain('alice-secret');
});

it('refuses to turn the ACL on or off, and keeps the running users', async () => {
  const users = [{ username: 'alice', password: aliceHash, component: false }];
  const { broker, url } = await brokers.start({ users });
  expect(() => broker.reloadCredentials({ users: [], acl })).toThrow(ReloadRefused);
  const alice = await clients.connect(url, { username: 'alice', password: 'alice-secret-1' });
  expect(alice.connected).toBe(true);
});
