/**
 * The host agent inside `busbar start`: a component publishing on the in-process bus. The agent
 * itself runs in a thread of its own (agent-thread.ts) so that its sampling never holds the broker;
 * this side publishes what it hands over and writes its log lines.
 */
import os from 'node:os';
import type { Worker } from 'node:worker_threads';
import type { Level } from 'pino';
import type { Component, ComponentContext } from '../../core/runtime/component.js';
import { errorMessage } from '../../core/runtime/errors.js';
import type { Logger } from '../../core/runtime/logger.js';
import { aborted } from '../../core/util/abortable.js';
import { startWorker } from '../../sinks/workers/worker-url.js';
import type { AgentConfig } from './config-schema.js';
import { busLink, type AgentLink } from './link.js';
import type { AgentThreadData, FromAgentThread, ToAgentThread } from './thread-protocol.js';

/**
 * After `stop`, how long the thread may take to end: the agent's own stop (runHostAgent: samples,
 * buffered messages, `offline`) takes at most 6 s; beyond this the thread is terminated.
 */
const STOP_GRACE_MS = 10_000;

export const hostAgentComponent: Component<AgentConfig> = {
  kind: 'host-agent',
  async run(context) {
    const data: AgentThreadData = {
      config: context.config,
      source: context.config.name ?? os.hostname(),
      base: context.topics.base,
      logLevel: context.log.level,
    };
    const worker = startWorker(import.meta.url, 'agent-thread', { ...data });
    const link = busLink(context.bus);
    const ended = new Promise<void>((resolve, reject) => {
      worker.on('message', (message: FromAgentThread) => {
        if (message.type === 'failed') reject(new Error(`host agent failed: ${message.reason}`));
        else handle(message, worker, link, context);
      });
      worker.on('error', (error) => reject(new Error(`host agent thread failed: ${errorMessage(error)}`)));
      worker.on('exit', (code) =>
        context.signal.aborted ? resolve() : reject(new Error(`host agent thread ended (code ${code})`)),
      );
    });
    ended.catch(() => undefined);
    // A thread that failed settles `ended` first (rejected): the supervisor restarts the component.
    await Promise.race([ended, aborted(context.signal)]);
    send(worker, { type: 'stop' });
    const timer = setTimeout(() => void worker.terminate(), STOP_GRACE_MS);
    try {
      await ended;
    } finally {
      clearTimeout(timer);
    }
  },
};

function handle(
  message: FromAgentThread,
  worker: Worker,
  link: AgentLink,
  context: ComponentContext<AgentConfig>,
): void {
  switch (message.type) {
    case 'publish':
      link.publish(message.topic, message.payload, message.options).then(
        () => send(worker, { type: 'published', id: message.id, ok: true }),
        (error: unknown) =>
          send(worker, { type: 'published', id: message.id, ok: false, reason: errorMessage(error) }),
      );
      return;
    case 'started':
      context.ready();
      return;
    case 'log':
      writeLine(context.log, message.line);
      return;
    case 'stopped':
    case 'failed':
      return;
  }
}

/** A thread that has ended drops what is sent to it; nothing waits for an answer any more. */
function send(worker: Worker, message: ToAgentThread): void {
  worker.postMessage(message);
}

/** Writes one of the thread's pino lines through the component's logger (its bindings, redaction). */
function writeLine(log: Logger, line: string): void {
  const { level, msg, ...fields } = JSON.parse(line) as { level: number; msg?: string };
  log[(log.levels.labels[level] ?? 'info') as Level](fields, msg);
}
