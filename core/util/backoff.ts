/** Exponential backoff with jitter, shared by the supervisor (restarts) and the remote bus (reconnects). */

export interface BackoffPolicy {
  /** Delay before the first retry, in milliseconds. */
  readonly initialMs: number;
  /** Ceiling of the delay, in milliseconds. */
  readonly maxMs: number;
}

/**
 * Delay before retry number `attempt` (0-based): the ceiling doubles from `initialMs` up to `maxMs`, and
 * the delay is drawn between half the ceiling and the ceiling ("equal jitter"), so delays still grow
 * while many components failing on the same cause (a broker restart) do not retry in lockstep.
 */
export function backoffDelay(
  attempt: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(attempt, 52));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
