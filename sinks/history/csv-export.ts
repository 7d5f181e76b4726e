/**
 * CSV export of the history store (RFC 4180, with a header line): raw points, or 1-minute / 1-hour
 * rollups, of every series matching a pattern; to one stream, or to one file per UTC day as SlapOS'
 * collector dumps them. Rows are produced from a cursor, so an export never holds the range in memory.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Writable } from 'node:stream';
import type { HistoryReader, SeriesInfo } from './reader.js';
import { formatTime } from './time-spec.js';

export type ExportResolution = 'raw' | '1m' | '1h';

export interface ExportOptions {
  readonly pattern: string;
  /** Milliseconds since the epoch, inclusive. */
  readonly from: number;
  readonly to: number;
  readonly resolution: ExportResolution;
}

const SERIES_COLUMNS = 'time,series,source,measurement,field,tags';
export const CSV_HEADERS: Readonly<Record<ExportResolution, string>> = {
  raw: `${SERIES_COLUMNS},value\n`,
  '1m': `${SERIES_COLUMNS},min,avg,max,last,count\n`,
  '1h': `${SERIES_COLUMNS},min,avg,max,last,count\n`,
};

const NEEDS_QUOTES = /[",\r\n]/;

export function csvField(value: string | number): string {
  const text = String(value);
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function seriesColumns(series: SeriesInfo): string {
  const tags = Object.entries(series.tags)
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
  return [series.name, series.source, series.measurement, series.field, tags].map(csvField).join(',');
}

/** Every CSV row (without the header) with its time, series after series, oldest first. */
export function* csvRows(
  reader: HistoryReader,
  options: ExportOptions,
): Generator<{ time: number; row: string }> {
  for (const series of reader.series(options.pattern)) {
    const columns = seriesColumns(series);
    if (options.resolution === 'raw') {
      for (const point of reader.rawPoints(series.id, options.from, options.to)) {
        const time = point.ts / 1000;
        yield { time, row: `${formatTime(time)},${columns},${csvField(point.value)}\n` };
      }
      continue;
    }
    for (const row of reader.rollupRows(series.id, options.resolution, options.from, options.to)) {
      const time = row.ts / 1000;
      const values = [row.v_min, row.v_sum / row.n, row.v_max, row.v_last, row.n].join(',');
      yield { time, row: `${formatTime(time)},${columns},${values}\n` };
    }
  }
}

/** Writes the export to `out`, honouring backpressure; returns the number of rows. */
export async function exportCsv(
  reader: HistoryReader,
  options: ExportOptions,
  out: Writable,
): Promise<number> {
  let rows = 0;
  if (!out.write(CSV_HEADERS[options.resolution])) await once(out, 'drain');
  for (const { row } of csvRows(reader, options)) {
    rows++;
    if (!out.write(row)) await once(out, 'drain');
  }
  return rows;
}

/** Writes one `YYYY-MM-DD.csv` per UTC day into `dir`; returns the files written with their row counts. */
export async function exportCsvPerDay(
  reader: HistoryReader,
  options: ExportOptions,
  dir: string,
): Promise<Map<string, number>> {
  await mkdir(dir, { recursive: true });
  const files = new Map<string, { stream: Writable; rows: number }>();
  try {
    for (const { time, row } of csvRows(reader, options)) {
      const day = new Date(Math.floor(time)).toISOString().slice(0, 10);
      let file = files.get(day);
      if (file === undefined) {
        const stream = createWriteStream(path.join(dir, `${day}.csv`));
        file = { stream, rows: 0 };
        files.set(day, file);
        stream.write(CSV_HEADERS[options.resolution]);
      }
      file.rows++;
      if (!file.stream.write(row)) await once(file.stream, 'drain');
    }
  } finally {
    await Promise.all([...files.values()].map(({ stream }) => closeStream(stream)));
  }
  return new Map([...files].map(([day, { rows }]) => [path.join(dir, `${day}.csv`), rows]));
}

function closeStream(stream: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.once('error', reject);
    stream.end(() => resolve());
  });
}
