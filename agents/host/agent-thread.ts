/**
 * The host agent of `busbar start`, in a thread of its own. Sampling is bursts of file reads and
 * parsing — /proc for every process, /sys, utmp — once per interval for every collector at the same
 * aligned instant; on the broker's thread each burst held every MQTT client for tens of milliseconds
 * (docs/performance.md, "Broker latency"). Here it uses the second core, and the main thread only
 * publishes what the agent hands it, exactly as the standalone agent's MQTT connection would.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { pino } from 'pino';
import { errorMessage } from '../../core/runtime/errors.js';
import { createTopics } from '../../core/topics.js';
import { runHostAgent } from './agent.js';
import type { AgentLink, LinkPublishOptions } from './link.js';
import type { AgentThreadData, FromAgentThread, ToAgentThread } from './thread-protocol.js';

const port = parentPort;
if (port === null) throw new Error('agent-thread.ts runs as a worker thread only');
const post = (message: FromAgentThread): void => port.postMessage(message);
const options = workerData as AgentThreadData;

/** Lines go to the component's logger, which adds its bindings and redaction and writes them. */
const log = pino(
  { level: options.logLevel, base: undefined, timestamp: false },
  { write: (line: string) => post({ type: 'log', line }) },
);

/** Publishes waiting for the bus's answer, by id. */
const pending = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
let nextId = 0;

const link: AgentLink = {
  connected: true,
  publish(topic: string, payload: string, publishOptions: LinkPublishOptions): Promise<void> {
    const id = ++nextId;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      post({ type: 'publish', id, topic, payload, options: publishOptions });
    });
  },
  onConnect: () => undefined,
};

const stop = new AbortController();
port.on('message', (message: ToAgentThread) => {
  if (message.type === 'stop') {
    stop.abort();
    return;
  }
  const waiter = pending.get(message.id);
  if (waiter === undefined) return;
  pending.delete(message.id);
  if (message.ok) waiter.resolve();
  else waiter.reject(new Error(message.reason));
});

try {
  await runHostAgent(
    {
      config: options.config,
      source: options.source,
      topics: createTopics(options.base),
      link,
      log,
      started: () => post({ type: 'started' }),
    },
    stop.signal,
  );
  post({ type: 'stopped' });
} catch (error) {
  post({ type: 'failed', reason: errorMessage(error) });
}
port.close();
