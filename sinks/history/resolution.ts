/**
 * Which table a range query reads and how wide its buckets are, so that a chart of any span gets at
 * most about `maxPoints` points per series from the finest data still kept for the whole span.
 */
import { HOUR_US, MINUTE_US, type Retention } from './database.js';

export type HistoryTable = 'points' | 'rollup_1m' | 'rollup_1h';

export interface Plan {
  readonly table: HistoryTable;
  /** Bucket width in microseconds; raw points are returned as they are when few enough. */
  readonly bucketUs: number;
}

const MS = 1_000;
const SECOND = 1_000_000;
const DAY = 24 * HOUR_US;
/** Bucket widths a reader recognises on a time axis. */
const STEPS = [
  MS, 2 * MS, 5 * MS, 10 * MS, 20 * MS, 50 * MS, 100 * MS, 200 * MS, 500 * MS,
  SECOND, 2 * SECOND, 5 * SECOND, 10 * SECOND, 15 * SECOND, 30 * SECOND,
  MINUTE_US, 2 * MINUTE_US, 5 * MINUTE_US, 10 * MINUTE_US, 15 * MINUTE_US, 30 * MINUTE_US,
  HOUR_US, 2 * HOUR_US, 3 * HOUR_US, 6 * HOUR_US, 12 * HOUR_US, DAY, 2 * DAY, 7 * DAY,
]; // prettier-ignore

/** The smallest listed step of at least `us` (beyond a week: whole weeks). */
export function niceStep(us: number): number {
  for (const step of STEPS) if (step >= us) return step;
  return Math.ceil(us / (7 * DAY)) * 7 * DAY;
}

export function planRange(
  fromUs: number,
  toUs: number,
  maxPoints: number,
  retention: Retention,
  nowUs: number,
): Plan {
  // Buckets start at multiples of their width since the epoch (round times on an axis), so a span
  // of n widths can touch n + 1 of them: hence maxPoints - 1.
  const bucket = niceStep(Math.max(1, Math.ceil((toUs - fromUs) / Math.max(1, maxPoints - 1))));
  const rawCovers = fromUs >= nowUs - retention.rawUs;
  const minuteCovers = fromUs >= nowUs - retention.minuteUs;
  if (bucket < MINUTE_US && rawCovers) return { table: 'points', bucketUs: bucket };
  if (bucket < HOUR_US && minuteCovers) return { table: 'rollup_1m', bucketUs: Math.max(bucket, MINUTE_US) };
  return { table: 'rollup_1h', bucketUs: Math.max(bucket, HOUR_US) };
}
