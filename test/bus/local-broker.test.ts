/**
 * The local bus over busbar's own embedded broker (broker/), with each persistence: retained messages
 * for new subscriptions come from that store (aedes-persistence or aedes-persistence-redis).
 */
import { afterAll, beforeAll, describe } from 'vitest';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { Brokers, type TestBroker } from '../broker/fixtures.js';
import { describeBusContract } from './bus-contract.js';
import { localBusTarget } from './local-target.js';

const brokers = new Brokers();
afterAll(() => brokers.closeAll());

describe('memory persistence', () => {
  let broker: TestBroker;
  beforeAll(async () => {
    broker = await brokers.start();
  });
  describeBusContract(
    'local bus over the embedded broker, memory persistence',
    localBusTarget(() => ({ aedes: broker.broker.aedes, url: broker.url })),
  );
});

describe('Redis persistence', () => {
  let redis: RedisServer;
  let broker: TestBroker;
  beforeAll(async () => {
    redis = await startRedis();
    broker = await brokers.start({ persistence: { type: 'redis', redis: { port: redis.port } } });
  });
  afterAll(async () => {
    await brokers.closeAll();
    await redis.stop();
  });
  describeBusContract(
    'local bus over the embedded broker, Redis persistence',
    localBusTarget(() => ({ aedes: broker.broker.aedes, url: broker.url })),
  );
});
