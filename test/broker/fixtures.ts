/**
 * Starting embedded brokers for tests: config through the real schema (so defaults apply as in
 * production), a captured log, port 0 on 127.0.0.1, and cleanup of everything started.
 */
import type { z } from 'zod';
import { startBroker, type EmbeddedBroker } from '../../broker/broker.js';
import { brokerSchema } from '../../broker/config.js';
import { captureLog, type CapturedLog } from '../helpers/log-capture.js';

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
