/**
 * The embedded SQLite history store as a HistorySource. The file is opened read-only on first use
 * (busbar's history sink creates it when it starts) and again after a failure.
 */
import { errorMessage } from '../core/runtime/errors.js';
import { HistoryReader } from '../sinks/history/reader.js';
import {
  HistoryUnavailableError,
  type HistorySource,
  type SeriesInfo,
  type SummaryBucket,
} from './source.js';

export class EmbeddedHistory implements HistorySource {
  readonly name = 'embedded';
  private opened: HistoryReader | undefined;

  constructor(readonly path: string) {}

  /** The SQLite reader itself, for what only the embedded store offers (CSV export of rollups). */
  reader(): HistoryReader {
    if (!this.opened) {
      try {
        this.opened = HistoryReader.open(this.path);
      } catch (error) {
        throw new HistoryUnavailableError(`the history store cannot be read yet: ${errorMessage(error)}`);
      }
    }
    return this.opened;
  }

  async series(pattern?: string) {
    return this.reader().series(pattern);
  }

  async sources() {
    return this.reader().sources();
  }

  async latest(pattern: string) {
    return this.reader().latest(pattern);
  }

  async range(pattern: string, options: Parameters<HistoryReader['range']>[1]) {
    return this.reader().range(pattern, options);
  }

  async summaries(
    series: SeriesInfo,
    width: '1m' | '1h',
    from: number,
    to: number,
  ): Promise<SummaryBucket[]> {
    const out: SummaryBucket[] = [];
    for (const row of this.reader().rollupRows(series.id, width, from, to)) {
      out.push({ time: row.ts / 1000, min: row.v_min, max: row.v_max, sum: row.v_sum, count: row.n });
    }
    return out;
  }

  async check(): Promise<void> {
    this.reader();
  }

  close(): void {
    this.opened?.close();
    this.opened = undefined;
  }
}
