/**
 * What a target says when it could not deliver: whether trying again can help, and how long the
 * receiver asked to wait. The router retries a transient failure (a server down, an SMTP 4xx, a
 * Telegram 429) until the notification expires, and moves a permanent one (an SMTP 5xx, a Telegram
 * 400/403: a wrong address or chat) on to the route's failover targets at once: retrying a refusal
 * for hours would only hide it.
 */
import { errorMessage } from '../../core/runtime/errors.js';

export class SendError extends Error {
  override readonly name = 'SendError';
  /** True when the receiver refused for good: the same request will be refused again. */
  readonly permanent: boolean;
  /** How long the receiver asked to be left alone before the next attempt (Telegram's retry_after). */
  readonly retryAfterMs: number | undefined;

  constructor(
    message: string,
    options: { permanent?: boolean; retryAfterMs?: number | undefined; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.permanent = options.permanent ?? false;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** How the router reads any error a target threw: anything but a permanent SendError is transient. */
export function sendFailure(error: unknown): {
  readonly message: string;
  readonly permanent: boolean;
  readonly retryAfterMs: number | undefined;
} {
  return error instanceof SendError
    ? { message: error.message, permanent: error.permanent, retryAfterMs: error.retryAfterMs }
    : { message: errorMessage(error), permanent: false, retryAfterMs: undefined };
}
