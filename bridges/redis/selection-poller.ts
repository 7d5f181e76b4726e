/**
 * One key selection: every `interval`, SCAN its keys, read their values, map each to a metric and
 * publish. With `notify`, keys Redis reports as changed are read at once too; a key changed many
 * times before its read is read once (the pending set coalesces), so a hot key cannot flood the bus.
 */
import type { Redis } from 'ioredis';
import type { Bus } from '../../core/bus/bus.js';
import { errorMessage } from '../../core/runtime/errors.js';
import type { Logger } from '../../core/runtime/logger.js';
import { nowNs } from '../../core/codecs/metric.js';
import type { Topics } from '../../core/topics.js';
import type { PeriodicLog } from '../../core/util/log-throttle.js';
import { sleep } from '../../core/util/abortable.js';
import type { RedisConfig, RedisSelection } from './config.js';
import type { BadValue } from './deadletter.js';
import { compileMapper, type KeyMapper } from './mapper.js';
import { publishMetrics, type SourcedMetric } from './publish.js';
import { isKeyError, readValues, scanKeys } from './reader.js';
import type { RefusalCode } from './refusals.js';
import { SelectionStats } from './selection-stats.js';

export interface SelectionPollerOptions {
  readonly selection: RedisSelection;
  readonly config: RedisConfig;
  readonly redis: Redis;
  readonly bus: Bus;
  readonly topics: Topics;
  readonly log: Logger;
  readonly throttle: PeriodicLog;
  readonly deadletter: (bad: BadValue) => void;
  /** Told after every read whether Redis answered, so the bridge's status follows. */
  readonly onReadResult: (ok: boolean, error?: unknown) => void;
}

export class SelectionPoller {
  readonly stats = new SelectionStats();
  private readonly map: KeyMapper;
  private readonly pending = new Set<string>();
  private draining: Promise<void> | undefined;

  constructor(private readonly options: SelectionPollerOptions) {
    this.map = compileMapper(options.selection);
  }

  get name(): string {
    return this.options.selection.name;
  }

  /** Reads the whole selection every `interval` until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const started = performance.now();
      await this.readAll();
      await sleep(started + this.options.selection.interval - performance.now(), signal);
    }
    await this.draining;
  }

  /** One full read; never throws (a failure is counted and reported through `onReadResult`). */
  async readAll(): Promise<void> {
    const { selection, config, redis } = this.options;
    const started = performance.now();
    try {
      const keys = await scanKeys(redis, selection.match, config.scanCount);
      this.stats.keys = keys.length;
      await this.readKeys(keys);
      this.stats.reads++;
      this.stats.lastReadMs = Math.round(performance.now() - started);
      this.stats.lastReadAt = new Date().toISOString();
      this.options.onReadResult(true);
    } catch (error) {
      this.failed(error);
    }
  }

  /** A key Redis reported as changed: read soon, once however often it changed meanwhile. */
  changed(key: string): void {
    this.stats.notifications++;
    this.pending.add(key);
    this.draining ??= this.drain().finally(() => (this.draining = undefined));
  }

  private async drain(): Promise<void> {
    while (this.pending.size > 0) {
      const keys = [...this.pending].slice(0, this.options.config.batchSize);
      for (const key of keys) this.pending.delete(key);
      try {
        await this.readKeys(keys);
        this.stats.notifiedReads += keys.length;
      } catch (error) {
        // The next full read covers these keys; a notified read is not worth a retry loop.
        this.failed(error);
        this.pending.clear();
      }
    }
  }

  private async readKeys(keys: readonly string[]): Promise<void> {
    const { selection, config, redis, bus, topics } = this.options;
    const values = await readValues(redis, selection.type, keys, config.batchSize);
    const readAt = nowNs();
    const metrics: SourcedMetric[] = [];
    keys.forEach((key, index) => {
      const raw = values[index] ?? null;
      if (isKeyError(raw)) return this.bad(key, raw.code, raw.error, raw.raw);
      const mapped = this.map(key, raw, readAt);
      switch (mapped.kind) {
        case 'metric':
          metrics.push({ source: mapped.source, metric: mapped.metric });
          if (mapped.timestampFallback) this.stats.timestampFallbacks++;
          break;
        case 'vanished':
          this.stats.vanished++;
          break;
        case 'unmatched':
          this.stats.unmatched++;
          this.options.throttle.run(`unmatched ${selection.name} ${key}`, (suppressed) =>
            this.options.log.warn(
              { selection: selection.name, key, suppressed },
              `Redis key ${key} matches ${selection.match} but not the pattern ${selection.pattern}; skipped`,
            ),
          );
          break;
        case 'bad':
          this.bad(key, mapped.code, mapped.reason, raw);
          break;
      }
    });
    this.stats.metrics += await publishMetrics(bus, topics, metrics, config.linesPerMessage, (error) => {
      this.stats.publishErrors++;
      this.options.log.error({ selection: selection.name, err: error }, 'could not publish Redis metrics');
    });
  }

  private bad(key: string, code: RefusalCode, reason: string, value: unknown): void {
    this.stats.badValues++;
    this.stats.refused[code] = (this.stats.refused[code] ?? 0) + 1;
    this.options.deadletter({ selection: this.name, key, code, reason, value });
  }

  private failed(error: unknown): void {
    this.stats.failedReads++;
    this.stats.lastError = errorMessage(error);
    this.options.onReadResult(false, error);
  }
}
