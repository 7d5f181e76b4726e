/** `broker.clientIdPattern`: a user cannot take over another's device session by its client id. */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../broker/passwords.js';
import { Clients } from '../helpers/mqtt-clients.js';
import { watchStats } from './edge-stats.js';
import { Brokers } from './fixtures.js';

const brokers = new Brokers();
const clients = new Clients();
afterEach(async () => {
  await clients.closeAll();
  await brokers.closeAll();
});

let users: { username: string; password: string }[];
beforeAll(async () => {
  users = [
    { username: 'alice', password: await hashPassword('alice-pass-1') },
    { username: 'bob', password: await hashPassword('bob-pass-2') },
  ];
});

describe('client ids bound to usernames', () => {
  it("refuses another user's device id with CONNACK 2, and the device stays connected", async () => {
    const { broker, url, log } = await brokers.start({ users, clientIdPattern: '%u-*', sysInterval: 50 });
    const stats = await watchStats(broker);
    const bobDevice = await clients.connect(url, {
      username: 'bob',
      password: 'bob-pass-2',
      clientId: 'bob-1',
    });

    expect(
      await clients.refusal(url, { username: 'alice', password: 'alice-pass-1', clientId: 'bob-1' }),
    ).toBe(2);
    // Anonymous clients (allowed on this loopback listener) may not take a user's id either.
    expect(await clients.refusal(url, { clientId: 'bob-1' })).toBe(2);
    expect(bobDevice.connected).toBe(true);

    const own = await clients.connect(url, {
      username: 'alice',
      password: 'alice-pass-1',
      clientId: 'alice-1',
    });
    expect(own.connected).toBe(true);
    const generated = await clients.connect(url, {
      username: 'alice',
      password: 'alice-pass-1',
      clientId: '',
    });
    expect(generated.connected).toBe(true);
    expect((await clients.connect(url, { clientId: 'sensor-7' })).connected).toBe(true);

    expect(
      (await stats.when((s) => s.clientIdsRejected === 2, 'two rejections counted')).clientIdsRejected,
    ).toBe(2);
    expect(log.find('MQTT connection refused').map((line) => line.returnCode)).toEqual([2, 2]);
  });

  it('is off by default: any id is taken', async () => {
    const { url } = await brokers.start({ users });
    await clients.connect(url, { username: 'bob', password: 'bob-pass-2', clientId: 'shared-id' });
    const taker = await clients.connect(url, {
      username: 'alice',
      password: 'alice-pass-1',
      clientId: 'shared-id',
    });
    expect(taker.connected).toBe(true);
  });
});
