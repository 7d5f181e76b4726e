/**
 * Connection caps over real sockets: beyond `maxConnectionsPerAddress` from one address, or
 * `maxConnections` over all listeners, a socket is closed before anything is read from it (no
 * CONNACK), counted and logged; other clients keep connecting. Source addresses are 127.0.0.x.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestCertificates, type TestCertificates } from '../helpers/tls.js';
import { Clients } from '../helpers/mqtt-clients.js';
import { watchStats } from './edge-stats.js';
import { Brokers } from './fixtures.js';
import { connectPacket, rawConnect, type RawConnection } from './raw.js';

const brokers = new Brokers();
const clients = new Clients();
const raws: RawConnection[] = [];
let certs: TestCertificates;

beforeAll(async () => {
  certs = await createTestCertificates();
});
afterEach(async () => {
  for (const raw of raws.splice(0)) raw.destroy();
  await clients.closeAll();
  await brokers.closeAll();
});
afterAll(async () => {
  await certs?.remove();
});

async function open(port: number, from: string): Promise<RawConnection> {
  const raw = await rawConnect(port, '127.0.0.1', from);
  raws.push(raw);
  return raw;
}

/** A raw client that sends CONNECT and gets its CONNACK: it holds a connection. */
async function connected(port: number, from: string, clientId: string): Promise<RawConnection> {
  const raw = await open(port, from);
  raw.socket.write(connectPacket({ clientId, clean: true }));
  await raw.bytes(4);
  return raw;
}

describe('maxConnectionsPerAddress', () => {
  it('closes the excess from one address before reading it, while others connect', async () => {
    const { broker, url, log } = await brokers.start({ maxConnectionsPerAddress: 3, sysInterval: 50 });
    const stats = await watchStats(broker);
    const port = broker.listeners[0]!.port;
    for (let i = 0; i < 3; i++) await connected(port, '127.0.0.2', `held-${i}`);

    const excess = await open(port, '127.0.0.2');
    excess.socket.write(connectPacket({ clientId: 'excess', clean: true }));
    await excess.closed();
    expect(excess.received()).toHaveLength(0); // no CONNACK: closed before CONNECT was read

    // Another address, and a real client on the default one, still connect.
    await connected(port, '127.0.0.3', 'neighbour');
    expect((await clients.connect(url, { clientId: 'normal' })).connected).toBe(true);

    const seen = await stats.when((s) => s.connectionsRefused >= 1 && s.connections === 5, 'counts');
    expect(seen.connectionsRefused).toBe(1);
    expect(log.find('MQTT connection refused: maxConnectionsPerAddress reached')[0]).toMatchObject({
      remoteAddress: '127.0.0.2',
      limit: 3,
    });
  });

  it('gives the place back when a connection closes', async () => {
    const { broker } = await brokers.start({ maxConnectionsPerAddress: 1 });
    const port = broker.listeners[0]!.port;
    const first = await connected(port, '127.0.0.4', 'first');
    first.destroy();
    await first.closed();
    await expect(
      (async () => {
        for (let attempt = 0; attempt < 100; attempt++) {
          const raw = await open(port, '127.0.0.4');
          raw.socket.write(connectPacket({ clientId: 'second', clean: true }));
          const answered = await raw.bytes(4, 2_000).then(
            () => true,
            () => false,
          );
          if (answered) return true;
        }
        return false;
      })(),
    ).resolves.toBe(true);
  });
});

describe('maxConnections', () => {
  it('counts TCP, TLS and WebSocket listeners together and refuses beyond the total', async () => {
    const { broker, log } = await brokers.start({
      maxConnections: 4,
      sysInterval: 50,
      listeners: [
        { type: 'tcp', host: '127.0.0.1', port: 0 },
        { type: 'tls', host: '127.0.0.1', port: 0, tls: { cert: certs.serverCert, key: certs.serverKey } },
        { type: 'ws', host: '127.0.0.1', port: 0 },
      ],
    });
    const stats = await watchStats(broker);
    const [tcp, tls, ws] = broker.listeners.map((listener) => listener.port) as [number, number, number];
    // Half-open connections count too: nothing is sent on these.
    await open(tcp, '127.0.0.5');
    await open(tls, '127.0.0.6');
    await open(ws, '127.0.0.7');
    await connected(tcp, '127.0.0.8', 'fourth');
    await stats.when((s) => s.connections === 4, 'four connections open');

    for (const port of [tcp, tls, ws]) {
      const excess = await open(port, '127.0.0.9');
      await excess.closed();
      expect(excess.received()).toHaveLength(0);
    }
    const seen = await stats.when((s) => s.connectionsRefused === 3, 'three refusals counted');
    expect(seen.connections).toBe(4);
    expect(log.find('MQTT connection refused: maxConnections reached').length).toBeGreaterThan(0);
  });
});

describe('connectTimeout', () => {
  it('closes a TLS connection that never completes its handshake, and a WebSocket never upgraded', async () => {
    const { broker } = await brokers.start({
      connectTimeout: 300,
      listeners: [
        { type: 'tls', host: '127.0.0.1', port: 0, tls: { cert: certs.serverCert, key: certs.serverKey } },
        { type: 'ws', host: '127.0.0.1', port: 0 },
      ],
    });
    const silentTls = await open(broker.listeners[0]!.port, '127.0.0.1');
    const halfUpgrade = await open(broker.listeners[1]!.port, '127.0.0.1');
    halfUpgrade.socket.write('GET /mqtt HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n');
    await silentTls.closed(5_000);
    await halfUpgrade.closed(5_000);
  });

  it('defaults to 10 s', async () => {
    const { brokerSchema } = await import('../../broker/config.js');
    expect(brokerSchema.parse({}).connectTimeout).toBe(10_000);
  });
});

describe('file descriptors', () => {
  it('warns when the caps plus the reserve exceed the open files limit, and reads the limit', async () => {
    const { checkDescriptors, openFilesLimit, DESCRIPTOR_RESERVE } =
      await import('../../core/runtime/descriptors.js');
    const { captureLog } = await import('../helpers/log-capture.js');
    const log = captureLog('info');
    const caps = { 'broker.maxConnections': 10_000, 'web.maxConnections': 1_000 };
    expect(checkDescriptors(caps, log.logger, 1_024).short).toBe(true);
    expect(log.find('exceed the open files limit')[0]).toMatchObject({ openFilesLimit: 1_024, ...caps });
    expect(checkDescriptors(caps, log.logger, 11_000 + DESCRIPTOR_RESERVE).short).toBe(false);
    expect(
      openFilesLimit(() => 'Max open files            20000                20000                files\n'),
    ).toBe(20_000);
    expect(
      openFilesLimit(() => 'Max open files            unlimited            unlimited            files\n'),
    ).toBe(undefined);
  });
});
