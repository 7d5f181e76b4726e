import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BusbarError } from '../../core/runtime/errors.js';
import { freePort } from '../helpers/ports.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { messageOn, record, subscribe, waitFor, within } from '../helpers/mqtt-clients.js';
import { brokerTestbed, type BrokerInput } from './fixtures.js';

const testbed = brokerTestbed({ redis: true });
const { brokers, clients } = testbed;

const onRedis = (db: number, extra: Partial<BrokerInput> = {}): BrokerInput => ({
  ...testbed.onRedis(db),
  ...extra,
});

describe('redis persistence', () => {
  it('keeps retained messages and queued QoS 1 messages across a broker restart', async () => {
    const first = await brokers.start(onRedis(1, { id: 'site-broker' }));
    const device = await clients.connect(first.url, { clientId: 'dev-7', clean: false });
    expect(await subscribe(device, 'cmd/dev-7', 1)).toBe(1);
    await device.endAsync();
    const logger = await clients.connect(first.url, { clientId: 'logger', clean: false });
    expect(await subscribe(logger, 'bulk/#', 1)).toBe(1);
    await logger.endAsync();

    const sender = await clients.connect(first.url, { clientId: 'sender' });
    await sender.publishAsync('status/dev-7', 'offline', { qos: 1, retain: true });
    await sender.publishAsync('cmd/dev-7', 'reboot', { qos: 1 });
    await sender.endAsync();
    await first.broker.close();

    // same broker id on purpose: queued messages must not be overwritten by new ones after a restart
    const second = await brokers.start(onRedis(1, { id: 'site-broker' }));
    const other = await clients.connect(second.url, { clientId: 'other' });
    for (let i = 0; i < 100; i++) await other.publishAsync('bulk/x', `bulk ${i}`, { qos: 1 }); // queued for 'logger'

    const back = await clients.connect(second.url, { clientId: 'dev-7', clean: false });
    const seen = record(back);
    const queued = await messageOn(seen, 'cmd/dev-7');
    expect(queued).toMatchObject({ payload: 'reboot', qos: 1 });

    const reader = await clients.connect(second.url, { clientId: 'reader' });
    const readerSeen = record(reader);
    await subscribe(reader, 'status/#');
    expect(await messageOn(readerSeen, 'status/dev-7')).toMatchObject({ payload: 'offline', retain: true });
  });

  it('shares messages between two brokers on the same Redis', async () => {
    const a = await brokers.start(onRedis(2));
    const b = await brokers.start(onRedis(2));
    const subscriber = await clients.connect(a.url);
    const seen = record(subscriber);
    await subscribe(subscriber, 'shared/#', 1);
    const publisher = await clients.connect(b.url);
    await publisher.publishAsync('shared/x', 'across', { qos: 1 });
    expect((await messageOn(seen, 'shared/x')).payload).toBe('across');
  });

  it('fails startup with BUSBAR_PERSISTENCE when Redis is not there', async () => {
    const nobody = await freePort();
    // ECONNREFUSED fails at once: waiting for the 60 s connectTimeout would outlast `within`'s 10 s.
    const error = await within(
      brokers
        .start({
          persistence: { type: 'redis', redis: { host: '127.0.0.1', port: nobody, connectTimeout: '60s' } },
        })
        .then(
          () => undefined,
          (caught: unknown) => caught,
        ),
      10_000,
      'starting with nothing on the Redis port',
    );
    expect(error).toBeInstanceOf(BusbarError);
    expect(error).toMatchObject({ code: 'BUSBAR_PERSISTENCE', retryable: true });
    expect((error as Error).message).toContain(`127.0.0.1:${nobody}`);
    expect((error as Error).message).toContain('ECONNREFUSED');
  });

  it('fails startup with BUSBAR_PERSISTENCE when Redis refuses the password', async () => {
    const guarded = await startRedis({ password: 'the-real-one' });
    try {
      const error = await brokers
        .start({ persistence: { type: 'redis', redis: { port: guarded.port, password: 'a-wrong-one' } } })
        .then(
          () => undefined,
          (caught: unknown) => caught,
        );
      expect(error).toMatchObject({
        code: 'BUSBAR_PERSISTENCE',
        message: expect.stringMatching(/WRONGPASS|password/i),
      });
      expect((error as Error).message).not.toContain('a-wrong-one');
      const ok = await brokers.start({
        persistence: { type: 'redis', redis: { port: guarded.port, password: 'the-real-one' } },
      });
      await ok.broker.close();
    } finally {
      await guarded.stop();
    }
  });
});

describe('redis going away while the broker runs', () => {
  let lonely: RedisServer;
  beforeAll(async () => {
    lonely = await startRedis();
  });
  afterAll(async () => {
    await lonely?.stop();
  });

  it('logs the error, keeps the process alive and still closes promptly', async () => {
    const { broker, url, log } = await brokers.start({
      persistence: { type: 'redis', redis: { host: '127.0.0.1', port: lonely.port } },
    });
    const client = await clients.connect(url, { clientId: 'survivor', clean: false });
    await subscribe(client, 'x/#', 1);
    await lonely.stop();
    await waitFor(() => log.find('Redis error').length > 0, 'a logged Redis error');
    expect(log.find('Redis error')[0]).toMatchObject({
      redis: `127.0.0.1:${lonely.port}`,
      reason: expect.any(String),
    });
    client.publish('x/y', 'while Redis is down', { qos: 1 }); // waits for Redis; must not crash anything

    // The publish waits for Redis, which does not come back: close() must not wait for it.
    await within(broker.close(), 10_000, 'closing with Redis gone');
  });
});
