import type { Client } from 'aedes';
import { createHook } from 'node:async_hooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isLoopbackHost } from '../../broker/loopback.js';
import { hashPassword } from '../../broker/passwords.js';
import { LOG_LEVEL } from '../helpers/log-capture.js';
import { Clients, waitFor } from '../helpers/mqtt-clients.js';
import { Brokers } from './fixtures.js';
import { connectPacket, rawConnect } from './raw.js';

const brokers = new Brokers();
const clients = new Clients();
afterEach(async () => {
  await clients.closeAll();
  await brokers.closeAll();
});

const ALICE_PASSWORD = 'alice-secret-4242';
let users: { username: string; password: string }[];
beforeAll(async () => {
  users = [{ username: 'alice', password: await hashPassword(ALICE_PASSWORD) }];
});
afterAll(async () => {
  await brokers.closeAll();
});

describe('users and passwords', () => {
  it('accepts a user with the right password', async () => {
    const { url } = await brokers.start({ users });
    const client = await clients.connect(url, {
      username: 'alice',
      password: ALICE_PASSWORD,
      clientId: 'alice-1',
    });
    expect(client.connected).toBe(true);
  });

  it('refuses a wrong password, an unknown user and a missing password with CONNACK 4', async () => {
    const { url } = await brokers.start({ users });
    expect(await clients.refusal(url, { username: 'alice', password: 'not-her-password' })).toBe(4);
    expect(await clients.refusal(url, { username: 'mallory', password: ALICE_PASSWORD })).toBe(4);
    expect(await clients.refusal(url, { username: 'alice' })).toBe(4);
  });

  it('logs refusals at warn with username, client id and address, and never a password', async () => {
    const { url, log } = await brokers.start({ users });
    await clients.refusal(url, { username: 'alice', password: 'wrong-guess-1234', clientId: 'dev-42' });
    await clients.connect(url, { username: 'alice', password: ALICE_PASSWORD, clientId: 'dev-43' });

    const refused = log.find('MQTT connection refused');
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({
      level: LOG_LEVEL.warn,
      username: 'alice',
      clientId: 'dev-42',
      remoteAddress: '127.0.0.1',
      listener: expect.stringMatching(/^tcp 127\.0\.0\.1:\d+$/),
      returnCode: 4,
    });
    expect(log.text()).not.toContain('wrong-guess-1234');
    expect(log.text()).not.toContain(ALICE_PASSWORD);
  });

  it('logs connects and disconnects at debug', async () => {
    const { url, log } = await brokers.start({ users });
    const client = await clients.connect(url, {
      username: 'alice',
      password: ALICE_PASSWORD,
      clientId: 'dbg-1',
    });
    await client.endAsync();
    await waitFor(() => log.find('client disconnected').length > 0, 'the disconnect log line');
    expect(log.find('client connected')[0]).toMatchObject({
      level: LOG_LEVEL.debug,
      clientId: 'dbg-1',
      username: 'alice',
    });
    expect(log.find('client disconnected')[0]).toMatchObject({ level: LOG_LEVEL.debug, clientId: 'dbg-1' });
  });

  it('runs scrypt once for a burst of identical logins, and again for a new password', async () => {
    const { url } = await brokers.start({ users });
    // Counts real scrypt jobs on libuv's thread pool (async resources of type SCRYPTREQUEST).
    let scryptJobs = 0;
    const hook = createHook({
      init(_id, type) {
        if (type === 'SCRYPTREQUEST') scryptJobs++;
      },
    }).enable();
    try {
      const burst = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          clients.connect(url, { username: 'alice', password: ALICE_PASSWORD, clientId: `storm-${i}` }),
        ),
      );
      expect(burst.every((client) => client.connected)).toBe(true);
      await clients.connect(url, { username: 'alice', password: ALICE_PASSWORD, clientId: 'storm-late' });
      expect(scryptJobs).toBe(1);
      expect(await clients.refusal(url, { username: 'alice', password: 'another-guess' })).toBe(4);
      expect(await clients.refusal(url, { username: 'alice', password: 'another-guess' })).toBe(4);
      expect(scryptJobs).toBe(3); // failures are never cached
    } finally {
      hook.disable();
    }
  });
});

describe('anonymous clients', () => {
  it('are accepted on a loopback listener by default', async () => {
    const { url } = await brokers.start({ users });
    const client = await clients.connect(url);
    expect(client.connected).toBe(true);
  });

  it('are refused with CONNACK 5 on a listener bound to a non-loopback address', async () => {
    // 0.0.0.0 is not loopback; the rule follows the listener's configured host, not the peer's.
    const { broker, log } = await brokers.start({
      listeners: [{ type: 'tcp', host: '0.0.0.0', port: 0 }],
      users,
    });
    const url = `mqtt://127.0.0.1:${broker.listeners[0]!.port}`;
    expect(await clients.refusal(url, { clientId: 'anon-1' })).toBe(5);
    expect(log.find('MQTT connection refused')[0]).toMatchObject({ clientId: 'anon-1', returnCode: 5 });
    // users still get in there
    await clients.connect(url, { username: 'alice', password: ALICE_PASSWORD });
  });

  it('follow allowAnonymous when the listener sets it', async () => {
    const { broker } = await brokers.start({
      listeners: [
        { type: 'tcp', host: '0.0.0.0', port: 0, allowAnonymous: true },
        { type: 'tcp', host: '127.0.0.1', port: 0, allowAnonymous: false },
      ],
    });
    const [open, closed] = broker.listeners;
    expect((await clients.connect(`mqtt://127.0.0.1:${open!.port}`)).connected).toBe(true);
    expect(await clients.refusal(closed!.url)).toBe(5);
  });
});

describe('loopback hosts', () => {
  it('are 127.0.0.0/8, ::1 and localhost; wildcard and other addresses are not', () => {
    for (const host of [
      '127.0.0.1',
      '127.1.2.3',
      '::1',
      '[::1]',
      '::ffff:127.0.0.1',
      'localhost',
      'LOCALHOST',
    ]) {
      expect(isLoopbackHost(host), host).toBe(true);
    }
    for (const host of [
      '0.0.0.0',
      '::',
      '192.168.1.10',
      '10.0.0.1',
      '::ffff:10.0.0.1',
      'example.com',
      '128.0.0.1',
    ]) {
      expect(isLoopbackHost(host), host).toBe(false);
    }
  });
});

describe('client identifiers', () => {
  it('refuses an empty client id without clean session with CONNACK 2 [MQTT-3.1.3-8]', async () => {
    const { broker } = await brokers.start();
    // mqtt.js refuses to send this CONNECT, so it is written by hand.
    const raw = await rawConnect(broker.listeners[0]!.port);
    raw.socket.write(connectPacket({ clientId: '', clean: false }));
    const connack = await raw.bytes(4);
    expect([...connack.subarray(0, 4)]).toEqual([0x20, 0x02, 0x00, 0x02]);
    await raw.closed();
  });

  it('gives a generated id to an empty client id with clean session', async () => {
    const { broker, url } = await brokers.start();
    const ready: Client[] = [];
    broker.aedes.on('clientReady', (client) => ready.push(client));
    await clients.connect(url, { clientId: '', clean: true });
    await waitFor(() => ready.length === 1, 'clientReady');
    expect(ready[0]!.id.length).toBeGreaterThan(0);
  });
});
