/**
 * The remote bus's connection: startup failures (timeout, refused credentials, TLS files), TLS itself,
 * secrets kept out of errors and logs, and reconnecting after the broker restarts.
 */
import { randomUUID } from 'node:crypto';
import { chmod } from 'node:fs/promises';
import path from 'node:path';
import type { AuthenticateError } from 'aedes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { remoteBusSchema } from '../../config/schema.js';
import { connectRemoteBus } from '../../core/bus/bus-remote.js';
import { BusbarError } from '../../core/runtime/errors.js';
import { startBareAedes } from '../helpers/bare-aedes.js';
import { captureLog } from '../helpers/log-capture.js';
import { within } from '../helpers/mqtt-clients.js';
import { startMosquitto } from '../helpers/mosquitto.js';
import { freePort } from '../helpers/ports.js';
import { tempDir } from '../helpers/process.js';
import { createTestCertificates, type TestCertificates } from '../helpers/tls.js';
import { collect, externalClients, waitUntil } from './external-client.js';

const SECRET = 's3cret-pw';

async function rejection(promise: Promise<unknown>): Promise<BusbarError> {
  const error = await promise.then(
    () => new Error('expected a rejection'),
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(BusbarError);
  return error as BusbarError;
}

describe('remote bus: connecting', () => {
  it('rejects after connectTimeout when nothing answers, with the URL redacted and the reason', async () => {
    const log = captureLog('debug');
    const port = await freePort();
    const config = remoteBusSchema.parse({
      url: `mqtt://alice:${SECRET}@127.0.0.1:${port}`,
      password: SECRET,
    });
    const started = Date.now();
    // Retrying for ever instead would outlast `within`'s 10 s; giving up early fails the lower bound.
    const error = await rejection(
      within(
        connectRemoteBus(config, {
          log: log.logger,
          connectTimeout: 600,
          reconnect: { initialMs: 50, maxMs: 100 },
        }),
        10_000,
        'connecting with a 600 ms connectTimeout',
      ),
    );
    const elapsed = Date.now() - started;
    expect(error.code).toBe('BUSBAR_BUS_CONNECT');
    expect(error.retryable).toBe(true);
    expect(error.message).toContain(`mqtt://alice:***@127.0.0.1:${port}`);
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.message).not.toContain(SECRET);
    expect(log.text()).not.toContain(SECRET);
    // A lower bound only: it kept trying for connectTimeout (a loaded machine takes longer, not less).
    expect(elapsed).toBeGreaterThanOrEqual(550);
  });

  it('fails at once, as not retryable, when the broker refuses the credentials', async () => {
    const refuse = Object.assign(new Error('bad credentials'), { returnCode: 4 }) as AuthenticateError;
    const broker = await startBareAedes({
      aedes: { authenticate: (_c, _u, _p, done) => done(refuse, null) },
    });
    try {
      const log = captureLog('debug');
      const config = remoteBusSchema.parse({ url: broker.url, username: 'alice', password: SECRET });
      // At once: waiting for the 60 s connectTimeout (or retrying) would outlast `within`'s 10 s.
      const error = await rejection(
        within(
          connectRemoteBus(config, { log: log.logger, connectTimeout: 60_000 }),
          10_000,
          'connecting with refused credentials',
        ),
      );
      expect(error.code).toBe('BUSBAR_BUS_CONNECT');
      expect(error.retryable).toBe(false);
      expect(error.message).toMatch(/refused the connection/);
      expect(log.text()).not.toContain(SECRET);
    } finally {
      await broker.close();
    }
  });

  it('names a TLS file it cannot read, before connecting', async () => {
    const config = remoteBusSchema.parse({ url: 'mqtts://127.0.0.1:1', ca: '/nonexistent/ca.pem' });
    const error = await rejection(connectRemoteBus(config, { log: captureLog().logger }));
    expect(error.code).toBe('BUSBAR_BUS_CONNECT');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('/nonexistent/ca.pem');
  });
});

describe('remote bus: mqtts', () => {
  let certs: TestCertificates;
  beforeAll(async () => {
    certs = await createTestCertificates();
  });
  afterAll(async () => {
    await certs.remove();
  });

  it('verifies the broker with the configured CA and presents its client certificate', async () => {
    const broker = await startBareAedes({
      tls: { cert: certs.serverCert, key: certs.serverKey, ca: certs.caCert, requestCert: true },
    });
    try {
      const config = remoteBusSchema.parse({
        url: broker.url,
        ca: certs.caCert,
        cert: certs.clientCert,
        key: certs.clientKey,
      });
      const bus = await connectRemoteBus(config, { log: captureLog('warn').logger, connectTimeout: 5_000 });
      const received = await collect(bus, 'tls/+');
      await bus.publish('tls/hello', 'over TLS', { qos: 1 });
      await received.waitFor(1);
      expect(received.payloads()).toEqual(['over TLS']);
      await bus.close();
    } finally {
      await broker.close();
    }
  });

  it('refuses a broker its CA did not sign, saying why', async () => {
    const broker = await startBareAedes({ tls: { cert: certs.serverCert, key: certs.serverKey } });
    try {
      const config = remoteBusSchema.parse({ url: broker.url, ca: certs.strangerCert });
      const error = await rejection(
        connectRemoteBus(config, { log: captureLog().logger, connectTimeout: 800 }),
      );
      expect(error.message).toMatch(/certificate/i);
    } finally {
      await broker.close();
    }
  });
});

describe('remote bus: reconnecting', () => {
  it('survives a broker restart: subscriptions restored, retained state sent again, QoS 1 kept', async () => {
    const dir = await tempDir('mosquitto-db');
    // Persistence so the retained message survives the restart (the helper's default is off); run as
    // root, Mosquitto drops to its own user, which must be able to write there.
    await chmod(dir.path, 0o777);
    const extraConfig = `persistence true\npersistence_location ${dir.path}${path.sep}`;
    const port = await freePort();
    let mosquitto = await startMosquitto({ port, extraConfig });
    const log = captureLog('info');
    const base = `reconnect/${randomUUID().slice(0, 8)}`;
    const config = remoteBusSchema.parse({ url: mosquitto.url, protocolVersion: 5 });
    const bus = await connectRemoteBus(config, { log: log.logger, reconnect: { initialMs: 50, maxMs: 200 } });
    let external = externalClients(mosquitto.url);
    try {
      await external.publish(`${base}/state`, 'on', { qos: 1, retain: true });
      const received = await collect(bus, `${base}/#`);
      await received.waitFor(1);

      await external.closeAll();
      await mosquitto.stop();
      await waitUntil(() => log.find('connection lost').length > 0, 'the outage to be noticed');
      // While offline: QoS 0 fails at once (nothing piles up), QoS 1 waits for the connection.
      await expect(bus.publish(`${base}/q0`, 'lost')).rejects.toMatchObject({
        code: 'BUSBAR_BUS_CONNECT',
        retryable: true,
      });
      // Retained, so that we can see it reached the broker: mqtt.js sends it before it subscribes again.
      const queued = bus.publish(`${base}/q1`, 'kept', { qos: 1, retain: true });

      mosquitto = await startMosquitto({ port, extraConfig });
      await waitUntil(() => log.find('reconnected').length > 0, 'the bus to reconnect');
      await queued;
      external = externalClients(mosquitto.url);
      await external.publish(`${base}/live`, 'after', { qos: 1 });
      await waitUntil(() => received.payloads().includes('after'), 'a message after the restart');
      const seen = received.messages.map((m) => [
        m.topic.slice(base.length + 1),
        m.payload.toString(),
        m.retain,
      ]);
      expect(seen[0]).toEqual(['state', 'on', true]);
      // The new session gets the retained state again, flagged retained, including what we sent offline.
      expect(seen.slice(1, 3)).toEqual(
        expect.arrayContaining([
          ['state', 'on', true],
          ['q1', 'kept', true],
        ]),
      );
      expect(seen.slice(3)).toEqual([['live', 'after', false]]);
    } finally {
      await external.closeAll();
      await bus.close();
      await mosquitto.stop();
      await dir.remove();
    }
  });
});
