/** A history store in a temporary directory, written through the real writer and read back. */
import path from 'node:path';
import { parseLineProtocol } from '../../core/codecs/line-protocol.js';
import type { Metric } from '../../core/codecs/metric.js';
import {
  openHistoryDatabase,
  writeRetention,
  type HistoryDatabase,
  type Retention,
} from '../../sinks/history/database.js';
import { HistoryReader } from '../../sinks/history/reader.js';
import { PointBatchBuilder, SeriesRegistry } from '../../sinks/history/point-batch.js';
import { HistoryWriter } from '../../sinks/history/writer.js';
import { tempDir } from '../helpers/process.js';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

export const DEFAULT_RETENTION: Retention = {
  rawUs: 2 * DAY_MS * 1000,
  minuteUs: 30 * DAY_MS * 1000,
  hourUs: 730 * DAY_MS * 1000,
};

export interface HistoryFixture {
  readonly file: string;
  readonly db: HistoryDatabase;
  readonly writer: HistoryWriter;
  reader(): HistoryReader;
  /** Writes metrics as busbar does (numbered by a SeriesRegistry, one batch); returns points stored. */
  writeMetrics(source: string, metrics: Metric[]): number;
  /** Parses line protocol (timestamps in ms) and writes it for `source`; returns points stored. */
  write(source: string, lines: string): number;
  close(): Promise<void>;
}

export async function historyFixture(retention: Retention = DEFAULT_RETENTION): Promise<HistoryFixture> {
  const dir = await tempDir('history');
  const file = path.join(dir.path, 'history.db');
  const db = openHistoryDatabase(file);
  writeRetention(db, retention);
  const writer = new HistoryWriter(db);
  const builder = new PointBatchBuilder(new SeriesRegistry(writer.knownSeries()));
  const readers: HistoryReader[] = [];
  const writeMetrics = (source: string, metrics: Metric[]): number => {
    builder.add(source, metrics);
    const batch = builder.take();
    return batch === undefined ? 0 : writer.write(batch);
  };
  return {
    file,
    db,
    writer,
    reader() {
      const reader = HistoryReader.open(file);
      readers.push(reader);
      return reader;
    },
    writeMetrics,
    write: (source, lines) => writeMetrics(source, metricsMs(lines)),
    async close() {
      for (const reader of readers) reader.close();
      db.close();
      await dir.remove();
    },
  };
}

/** Line protocol with millisecond timestamps. */
export function metricsMs(lines: string): Metric[] {
  const { metrics, errors } = parseLineProtocol(lines, { precision: 'ms' });
  if (errors.length > 0) throw new Error(`bad fixture: ${JSON.stringify(errors)}`);
  return metrics;
}
