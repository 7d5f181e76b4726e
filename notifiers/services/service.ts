/**
 * The contract every notification service implements. A service is one folder
 * (notifiers/services/<name>/{config.ts, service.ts}) and one line in services/index.ts.
 */
import type { z } from 'zod';
import type { Bus } from '../../core/bus/bus.js';
import type { Logger } from '../../core/runtime/logger.js';
import type { HistoryReadTarget } from '../../history/config.js';
import type { Topics } from '../../core/topics.js';

/**
 * How a target renders text: template values are escaped for it. `slack` is Slack's mrkdwn, where
 * only `&`, `<` and `>` are control characters (`<!channel>` mentions, `<url|label>` links).
 */
export type TargetFormat = 'text' | 'html' | 'markdown' | 'slack';

/** One notification as the router hands it to a target, already rendered for the target's format. */
export interface Notification {
  /** Stable id: the route name, the topic and a sequence number. */
  readonly id: string;
  readonly route: string;
  readonly topic: string;
  readonly title: string;
  readonly message: string;
  /** Title and message rendered without escaping (an email's subject and text body). */
  readonly plain: { readonly title: string; readonly message: string };
  readonly priority: 'low' | 'normal' | 'high';
  /** The payload parsed as JSON, or its text when it is not JSON. */
  readonly payload: unknown;
  /** notifiers.externalUrl, for a target's own templates (`{details}` links to charts). */
  readonly externalUrl?: string | undefined;
}

export interface TargetContext<C> {
  /** `<service>:<target>`, used in logs and counters. */
  readonly id: string;
  readonly config: C;
  readonly log: Logger;
  readonly bus: Bus;
  readonly topics: Topics;
  /** Where charts of alarmed series read history from (`history.read`). */
  readonly history: HistoryReadTarget;
}

/** A configured target. `send` must honour `signal` (the router owns the timeout) and throw on failure. */
export interface Target {
  readonly format: TargetFormat;
  send(notification: Notification, signal: AbortSignal): Promise<void>;
  close?(): Promise<void>;
}

export interface NotifierService<C> {
  readonly name: string;
  /** Schema of one named target of this service. */
  readonly schema: z.ZodType<C>;
  create(context: TargetContext<C>): Target;
}
