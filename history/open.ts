/** Opens the HistorySource a target names; nothing connects until the first read. */
import { NO_HISTORY, type HistoryReadTarget } from './config.js';
import { EmbeddedHistory } from './embedded.js';
import { InfluxV1History } from './influx-v1.js';
import { VictoriaMetricsHistory } from './victoria-metrics.js';
import { HistoryUnavailableError, type HistorySource } from './source.js';

/** The store that is off answers every read with HistoryUnavailableError saying so. */
class NoHistory implements HistorySource {
  readonly name = 'off';
  constructor(private readonly why: string) {}
  private refuse(): never {
    throw new HistoryUnavailableError(this.why);
  }
  series = async () => this.refuse();
  sources = async () => this.refuse();
  latest = async () => this.refuse();
  range = async () => this.refuse();
  summaries = async () => this.refuse();
  check = async () => this.refuse();
  close(): void {}
}

export function openHistory(target: HistoryReadTarget): HistorySource {
  if (target.kind === 'embedded') return new EmbeddedHistory(target.path);
  if (target.kind === 'influx-v1') return new InfluxV1History(target);
  if (target.kind === 'victoriametrics') return new VictoriaMetricsHistory(target);
  return new NoHistory(target.why);
}

/**
 * The target of components configured before `history.read` existed, or by tests: the embedded
 * store at `historyPath`, unless `read` names another target.
 */
export function readTarget(historyPath: string | undefined, read?: HistoryReadTarget): HistoryReadTarget {
  if (read) return read;
  if (historyPath === undefined) return NO_HISTORY;
  return { kind: 'embedded', path: historyPath };
}
