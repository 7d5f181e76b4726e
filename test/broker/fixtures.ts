/**
 * Starting embedded brokers for tests: config through the real schema (so defaults apply as in
 * production), a captured log, port 0 on 127.0.0.1, and cleanup of everything started.
 */
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { z } from 'zod';
import { startBroker, type EmbeddedBroker } from '../../broker/broker.js';
import { brokerSchema } from '../../broker/config.js';
import { captureLog, type CapturedLog } from '../helpers/log-capture.js';
import { Clients } from '../helpers/mqtt-clients.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';

export type BrokerInput = z.input<typeof brokerSchema>;

export interface TestBroker {
  readonly broker: EmbeddedBroker;
  readonly log: CapturedLog;
  /** URL of the first listener. */
  readonly url: string;
}

/** One plain TCP listener on 127.0.0.1, a free port, and no $SYS timer unless asked for. */
export const DEFAULT_INPUT: BrokerInput = {
  listeners: [{ type: 'tcp', host: '127.0.0.1', port: 0 }],
  sysInterval: 0,
};

export class Brokers {
  private readonly started: EmbeddedBroker[] = [];

  async start(input: BrokerInput = {}, options: { baseTopic?: string } = {}): Promise<TestBroker> {
    const log = captureLog('debug');
    const config = brokerSchema.parse({ ...DEFAULT_INPUT, ...input });
    const broker = await startBroker({ config, log: log.logger, ...options });
    this.started.push(broker);
    const first = broker.listeners[0];
    if (!first) throw new Error('the test broker has no listener');
    return { broker, log, url: first.url };
  }

  async closeAll(): Promise<void> {
    const brokers = this.started.splice(0);
    await Promise.all(brokers.map((broker) => broker.close()));
  }
}

/**
 * What most broker test files set up: brokers and MQTT clients closed after each test and, with
 * `redis`, a real redis-server for the whole file; `onRedis(db)` is the broker input for a store on it.
 */
export function brokerTestbed(options: { redis?: boolean } = {}): {
  brokers: Brokers;
  clients: Clients;
  onRedis(db?: number): BrokerInput;
} {
  const brokers = new Brokers();
  const clients = new Clients();
  let redis: RedisServer | undefined;
  if (options.redis) {
    beforeAll(async () => {
      redis = await startRedis();
    });
  }
  afterEach(async () => {
    await clients.closeAll();
    await brokers.closeAll();
  });
  afterAll(async () => {
    await brokers.closeAll();
    await redis?.stop();
  });
  const onRedis = (db = 0): BrokerInput => {
    if (redis === undefined)
      throw new Error('no Redis: brokerTestbed({ redis: true }) starts one for the file');
    return { persistence: { type: 'redis', redis: { host: '127.0.0.1', port: redis.port, db } } };
  };
  return { brokers, clients, onRedis };
}
