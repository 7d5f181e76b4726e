/**
 * The contract of a collector: a thin `read` that asks the host (systeminformation, /proc), and a
 * pure `compute` from that reading and the previous call's state to metrics. The agent owns timing,
 * timeouts and publishing; a collector never publishes.
 */
import type { Metric } from '../../core/codecs/metric.js';

export interface ComputeContext {
  /** The `host` tag: the agent's source name. */
  readonly host: string;
  /** Timestamp of the sample, nanoseconds since the epoch (the scheduled tick). */
  readonly timestamp: bigint;
}

export interface Computed<S> {
  readonly metrics: Metric[];
  /** Handed back to the next `read` and `compute` (counters for rates). */
  readonly state: S;
  /** Parts that did not answer in time (a mount point): left out, counted as timeouts and logged. */
  readonly timedOut?: readonly string[];
}

export interface Collector<R = unknown, S = unknown> {
  /** Config key and log name: `cpu`, `disk`, ... */
  readonly name: string;
  /** The measurements it may publish, one message each per sample (sizes the offline buffer). */
  readonly measurements: readonly string[];
  /**
   * Reads the host. `previous` lets a collector read less (details of the top processes only).
   * A read that outlives its timeout is not cancelled (most probes cannot be): it finishes
   * unobserved, and the agent starts no second read of this collector meanwhile.
   */
  read(previous: S | undefined): Promise<R>;
  compute(reading: R, previous: S | undefined, context: ComputeContext): Computed<S>;
}
