/**
 * Runs one collector: its read under a timeout (never two reads at once), its compute, and the
 * conversion of its metrics to one line protocol message per measurement. Counts what went wrong,
 * and logs it at a bounded rate; a failing collector never stops the others.
 */
import { errorMessage } from '../../core/runtime/errors.js';
import { serializeMetric } from '../../core/codecs/line-protocol.js';
import type { Logger } from '../../core/runtime/logger.js';
import type { Metric } from '../../core/codecs/metric.js';
import type { Topics } from '../../core/topics.js';
import type { Collector } from './collector.js';
import { PeriodicLog } from '../../core/util/log-throttle.js';
import type { OutboxMessage } from './outbox.js';
import { SingleFlight, settleWithin } from './timeout.js';

export interface CollectorCounters {
  runs: number;
  /** Reads that did not answer within the timeout, or parts of them (a mount point). */
  timeouts: number;
  /** Reads that failed, and computes that threw. */
  errors: number;
  /** Points that could not be written as line protocol and were left out. */
  invalid: number;
  /** Duration of the last read and compute, ms. */
  lastDurationMs: number;
}

export interface RunnerOptions {
  readonly collector: Collector;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly source: string;
  readonly topics: Topics;
  readonly log: Logger;
}

export class CollectorRunner {
  readonly counters: CollectorCounters = { runs: 0, timeouts: 0, errors: 0, invalid: 0, lastDurationMs: 0 };
  private state: unknown;
  private readonly reads = new SingleFlight<unknown>();
  private readonly throttle = new PeriodicLog(60_000);

  constructor(readonly options: RunnerOptions) {}

  get name(): string {
    return this.options.collector.name;
  }

  /** One sample at `tickMs`: the messages to publish (none when the reading failed or is primed). */
  async sample(tickMs: number): Promise<OutboxMessage[]> {
    const { collector, timeoutMs, source, log } = this.options;
    this.counters.runs += 1;
    const started = performance.now();
    const read = this.reads.start('read', () => collector.read(this.state));
    if (read === undefined) {
      this.counters.timeouts += 1;
      this.warn('busy', { timeoutMs }, 'the previous reading has still not returned; skipping this sample');
      return [];
    }
    const outcome = await settleWithin(read, timeoutMs);
    if (outcome.status === 'timeout') {
      this.counters.timeouts += 1;
      this.warn('timeout', { timeoutMs }, 'reading timed out; skipping this sample');
      return [];
    }
    if (outcome.status === 'error') {
      this.counters.errors += 1;
      this.warn('error', { reason: errorMessage(outcome.error) }, 'reading failed; skipping this sample');
      return [];
    }
    let metrics: Metric[];
    try {
      const timestamp = BigInt(tickMs) * 1_000_000n;
      const computed = collector.compute(outcome.value, this.state, { host: source, timestamp });
      this.state = computed.state;
      metrics = computed.metrics;
      if (computed.timedOut?.length) {
        this.counters.timeouts += computed.timedOut.length;
        this.warn(
          'partial',
          { parts: computed.timedOut, timeoutMs },
          'part of the reading timed out; left out',
        );
      }
    } catch (error) {
      this.counters.errors += 1;
      log.error({ collector: collector.name, err: error }, 'computing metrics failed');
      return [];
    } finally {
      this.counters.lastDurationMs = performance.now() - started;
    }
    return this.messages(metrics, tickMs);
  }

  /** One message per measurement; a point that cannot be written is left out, not the message. */
  private messages(metrics: Metric[], tickMs: number): OutboxMessage[] {
    const lines = new Map<string, string[]>();
    for (const metric of metrics) {
      let line: string;
      try {
        line = serializeMetric(metric);
      } catch (error) {
        this.counters.invalid += 1;
        this.warn('invalid', { reason: errorMessage(error) }, 'a point cannot be written as line protocol');
        continue;
      }
      const group = lines.get(metric.measurement);
      if (group) group.push(line);
      else lines.set(metric.measurement, [line]);
    }
    const { topics, source } = this.options;
    return [...lines].map(([measurement, group]) => ({
      topic: topics.metrics(source, measurement),
      payload: group.join('\n'),
      sampledAt: tickMs,
    }));
  }

  private warn(kind: string, details: Record<string, unknown>, message: string): void {
    this.throttle.run(kind, (suppressed) =>
      this.options.log.warn({ collector: this.name, ...details, suppressed }, message),
    );
  }
}
