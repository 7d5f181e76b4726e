import { readFile } from 'node:fs/promises';
import net from 'node:net';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { brokerSchema } from '../../broker/config.js';
import { BusbarError } from '../../core/runtime/errors.js';
import { createTestCertificates, type TestCertificates } from '../helpers/tls.js';
import { closed, messageOn, record, subscribe, within } from '../helpers/mqtt-clients.js';
import { brokerTestbed } from './fixtures.js';
import { rawConnect } from './raw.js';

const { brokers, clients } = brokerTestbed();
let certs: TestCertificates;

beforeAll(async () => {
  certs = await createTestCertificates();
});
afterAll(async () => {
  await certs?.remove();
});

/** Subscribes with `subscriber`, publishes with `publisher`, and checks the message went through. */
async function roundTrip(subscriber: MqttClient, publisher: MqttClient, topic: string): Promise<void> {
  const seen = record(subscriber);
  await subscribe(subscriber, topic, 1);
  await publisher.publishAsync(topic, `hello ${topic}`, { qos: 1 });
  expect((await messageOn(seen, topic)).payload).toBe(`hello ${topic}`);
}

describe('listeners', () => {
  it('serve plain TCP and report the port actually bound', async () => {
    const { broker, url } = await brokers.start();
    const [listener] = broker.listeners;
    expect(listener).toMatchObject({ type: 'tcp', host: '127.0.0.1' });
    expect(listener!.port).toBeGreaterThan(0);
    expect(url).toBe(`mqtt://127.0.0.1:${listener!.port}`);
    await roundTrip(await clients.connect(url), await clients.connect(url), 'tcp/test');
  });

  it('serve TLS with the configured certificate', async () => {
    const { url } = await brokers.start({
      listeners: [{ type: 'tls', port: 0, tls: { cert: certs.serverCert, key: certs.serverKey } }],
    });
    expect(url).toMatch(/^mqtts:\/\/127\.0\.0\.1:\d+$/);
    const ca = await readFile(certs.caCert);
    const a = await clients.connect(url, { ca, rejectUnauthorized: true });
    const b = await clients.connect(url, { ca, rejectUnauthorized: true });
    await roundTrip(a, b, 'tls/test');
  });

  it('require a client certificate signed by the CA when requestCert is set', async () => {
    const { url, log } = await brokers.start({
      listeners: [
        {
          type: 'tls',
          port: 0,
          tls: { cert: certs.serverCert, key: certs.serverKey, ca: certs.caCert, requestCert: true },
        },
      ],
    });
    const ca = await readFile(certs.caCert);
    const withCert = await clients.connect(url, {
      ca,
      cert: await readFile(certs.clientCert),
      key: await readFile(certs.clientKey),
    });
    expect(withCert.connected).toBe(true);
    await expect(clients.connect(url, { ca })).rejects.toThrow();
    await expect(
      clients.connect(url, {
        ca,
        cert: await readFile(certs.strangerCert),
        key: await readFile(certs.strangerKey),
      }),
    ).rejects.toThrow();
    expect(log.find('TLS handshake failed').length).toBeGreaterThan(0);
  });

  it('serve MQTT over WebSocket on the configured path, and nothing on others', async () => {
    const { broker, url } = await brokers.start({
      listeners: [
        { type: 'ws', port: 0, path: '/mqtt' },
        { type: 'tcp', port: 0 },
      ],
    });
    expect(url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/mqtt$/);
    // across listeners: subscribed over WebSocket, published over TCP
    await roundTrip(await clients.connect(url), await clients.connect(broker.listeners[1]!.url), 'ws/test');
    await expect(clients.connect(url.replace('/mqtt', '/other'))).rejects.toThrow();
    const upgrade = await new Promise<number | undefined>((resolve) => {
      const socket = new WebSocket(url.replace('/mqtt', '/other'), 'mqtt');
      socket.on('unexpected-response', (_request, response) => resolve(response.statusCode));
      socket.on('error', () => resolve(undefined));
    });
    expect(upgrade).toBe(404);
    const page = await fetch(url.replace('ws://', 'http://'));
    expect(page.status).toBe(426);
  });

  it('serve MQTT over secure WebSocket', async () => {
    const { url } = await brokers.start({
      listeners: [
        { type: 'ws', port: 0, path: '/mqtt', tls: { cert: certs.serverCert, key: certs.serverKey } },
      ],
    });
    expect(url).toMatch(/^wss:\/\/127\.0\.0\.1:\d+\/mqtt$/);
    const ca = await readFile(certs.caCert);
    await roundTrip(await clients.connect(url, { ca }), await clients.connect(url, { ca }), 'wss/test');
  });

  it('fail with BUSBAR_LISTEN_FAILED naming the listener when the port is taken', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const error = await brokers
        .start({
          listeners: [
            { type: 'tcp', port: 0 },
            { type: 'ws', port },
          ],
        })
        .then(
          () => undefined,
          (caught: unknown) => caught,
        );
      expect(error).toBeInstanceOf(BusbarError);
      expect(error).toMatchObject({ code: 'BUSBAR_LISTEN_FAILED', retryable: true });
      expect((error as Error).message).toContain(`ws listener 127.0.0.1:${port}`);
      expect((error as Error).message).toContain('EADDRINUSE');
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('need a CA in config when they request client certificates', () => {
    const listener = { type: 'tls', tls: { cert: 'c.pem', key: 'k.pem', requestCert: true } };
    const result = brokerSchema.safeParse({ listeners: [listener] });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['listeners', 0, 'tls', 'ca']);
  });

  it('fail with BUSBAR_LISTEN_FAILED naming a TLS file that cannot be read', async () => {
    const missing = `${certs.dir}/missing.pem`;
    await expect(
      brokers.start({ listeners: [{ type: 'tls', port: 0, tls: { cert: missing, key: certs.serverKey } }] }),
    ).rejects.toMatchObject({ code: 'BUSBAR_LISTEN_FAILED', message: expect.stringContaining(missing) });
  });
});

describe('close()', () => {
  it('disconnects clients, stops listening and resolves promptly', async () => {
    const { broker, url } = await brokers.start({
      listeners: [
        { type: 'tcp', port: 0 },
        { type: 'ws', port: 0 },
      ],
    });
    const tcp = await clients.connect(url);
    const ws = await clients.connect(broker.listeners[1]!.url);
    await subscribe(tcp, 'a/#', 1);
    // a connection that never sends CONNECT is not an Aedes client yet, and must not hold close() up
    const silent = await rawConnect(broker.listeners[0]!.port);

    // The silent connection never sends CONNECT: waiting for it would outlast `within`.
    await within(broker.close(), 10_000, 'closing beside a silent connection');
    await Promise.all([closed(tcp), closed(ws), silent.closed()]);
    expect(broker.aedes.closed).toBe(true);
    await expect(rawConnect(broker.listeners[0]!.port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await broker.close(); // twice is harmless
  });
});
