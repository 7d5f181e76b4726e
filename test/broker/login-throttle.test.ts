/**
 * MQTT password guessing over real sockets: wrong passwords are answered later and later (the
 * delays the server reports, not wall-clock time), an address that keeps guessing is banned, and
 * the right user from another address logs in at once throughout.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../broker/passwords.js';
import { Clients } from '../helpers/mqtt-clients.js';
import { watchStats } from './edge-stats.js';
import { Brokers } from './fixtures.js';
import { connectPacket, rawConnect } from './raw.js';

const brokers = new Brokers();
const clients = new Clients();
afterEach(async () => {
  await clients.closeAll();
  await brokers.closeAll();
});

const PASSWORD = 'alice-secret-4242';
let users: { username: string; password: string }[];
beforeAll(async () => {
  users = [{ username: 'alice', password: await hashPassword(PASSWORD) }];
});

/** The CONNACK return code of one CONNECT sent from `from`. */
async function tryLogin(port: number, from: string, password: string, clientId: string): Promise<number> {
  const raw = await rawConnect(port, '127.0.0.1', from);
  try {
    raw.socket.write(connectPacket({ clientId, clean: true, username: 'alice', password }));
    const connack = await raw.bytes(4, 10_000);
    return connack[3]!;
  } finally {
    raw.destroy();
  }
}

describe('MQTT login throttling', () => {
  it('slows and counts 200 wrong passwords, bans the address, and never slows the right user', async () => {
    const { broker, url, log } = await brokers.start({
      users,
      loginDelay: '2ms',
      loginBanAfter: 20,
      loginBanDuration: '10m',
      sysInterval: 50,
    });
    const stats = await watchStats(broker);
    const port = broker.listeners[0]!.port;
    const codes: number[] = [];
    for (let i = 0; i < 200; i++) codes.push(await tryLogin(port, '127.0.0.2', `guess-${i}`, `guesser-${i}`));
    expect(codes.slice(0, 20).every((code) => code === 4)).toBe(true); // bad username or password
    expect(codes.slice(20).every((code) => code === 5)).toBe(true); // not authorized: banned

    // The server held wrong answers ever longer: free for the first 3, then doubling from 2 ms,
    // up to 30 times it.
    const delays = log
      .find('MQTT connection refused')
      .filter((line) => line.returnCode === 4)
      .map((line) => line.delayMs);
    expect(delays).toEqual([0, 0, 0, 2, 4, 8, 16, 32, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60]);
    expect(log.find('MQTT address banned')[0]).toMatchObject({ remoteAddress: '127.0.0.2' });

    // The right user, from another address, is answered at once and counts nothing.
    const before = await stats.when((s) => s.loginsRefused === 180, 'the refusals counted');
    expect(before).toMatchObject({ loginFailures: 20, loginsDelayed: 17, addressesBanned: 1 });
    const alice = await clients.connect(url, { username: 'alice', password: PASSWORD, clientId: 'alice-1' });
    expect(alice.connected).toBe(true);
    const after = await stats.when((s) => s.clientsConnected === 1, 'alice connected');
    expect(after).toMatchObject({ loginFailures: 20, loginsDelayed: 17, loginsRefused: 180 });
  });

  it('does not ban an address repeating one stale password, and a right password clears its delay', async () => {
    const { broker, log } = await brokers.start({
      users,
      loginDelay: '1ms',
      loginBanAfter: 5,
      sysInterval: 50,
    });
    const stats = await watchStats(broker);
    const port = broker.listeners[0]!.port;
    for (let i = 0; i < 12; i++)
      expect(await tryLogin(port, '127.0.0.3', 'stale-password', `dev-${i}`)).toBe(4);
    expect(await tryLogin(port, '127.0.0.3', PASSWORD, 'dev-right')).toBe(0);
    const seen = await stats.when((s) => s.loginFailures === 12, 'the failures counted');
    expect(seen.addressesBanned).toBe(0);
    expect(log.find('MQTT address banned')).toHaveLength(0);
  });
});
