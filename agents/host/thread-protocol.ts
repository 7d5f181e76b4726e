/** Messages between the host-agent component and the thread its agent runs in (agent-thread.ts). */
import type { AgentConfig } from './config-schema.js';
import type { LinkPublishOptions } from './link.js';

export interface AgentThreadData {
  readonly config: AgentConfig;
  /** Source name in topics and the `host` tag. */
  readonly source: string;
  /** busbar's base topic (core/topics.ts builds the rest from it). */
  readonly base: string;
  /** The component logger's level, so the thread formats only what will be written. */
  readonly logLevel: string;
  /** Set by startWorker when running from TypeScript sources. */
  readonly entry?: string;
}

export type ToAgentThread =
  /** The bus has the message (`ok`), or could not take it (`reason`). */
  | { type: 'published'; id: number; ok: true }
  | { type: 'published'; id: number; ok: false; reason: string }
  /** busbar is stopping: deliver what is buffered, state `offline`, then end. */
  | { type: 'stop' };

export type FromAgentThread =
  | { type: 'publish'; id: number; topic: string; payload: string; options: LinkPublishOptions }
  /** The collectors are scheduled: the component is ready. */
  | { type: 'started' }
  /** One pino line (JSON) of the agent's logger, for the component's logger to write. */
  | { type: 'log'; line: string }
  /** The agent stopped cleanly; the thread ends next. */
  | { type: 'stopped' }
  /** The agent failed; the thread ends next and the supervisor restarts the component. */
  | { type: 'failed'; reason: string };
