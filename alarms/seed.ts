/**
 * Fills trend fits and deviation baselines from history (`history.read`) at start, so a restart (or a first
 * start on a store that already holds weeks of data) does not learn from nothing: a seasonal baseline
 * would otherwise need days before its first verdict, a trend half its window. Reads rollups only
 * (a few hundred rows per series), and at most `maxSeries` (rule, series) pairs.
 */
import { access } from 'node:fs/promises';
import { setImmediate } from 'node:timers/promises';
import { EmbeddedHistory } from '../history/embedded.js';
import type { HistorySource, SummaryBucket } from '../history/source.js';
import type { DeviationRule, TrendRule } from './config.js';
import type { AlarmEngine } from './engine.js';
import type { Summary } from './ewma.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export const DEFAULT_MAX_SERIES = 2_000;

export interface SeedResult {
  /** (rule, series) pairs filled. */
  readonly series: number;
  /** Rollup rows read. */
  readonly rows: number;
  /** Pairs left unfilled because of `maxSeries`. */
  readonly skipped: number;
  readonly ms: number;
}

/**
 * What to read for a rule: the trend's window of 1-minute rollups; for a deviation baseline, the
 * hourly rollups of 2 weeks (hour of the day: 14 values per bucket), 4 weeks (weekends apart: 20
 * working days and 8 weekend days) or 8 weeks (hour of the week: 8), and without a season the last
 * 6 hours of 1-minute rollups.
 */
export function seedSpan(rule: TrendRule | DeviationRule): { table: '1m' | '1h'; ms: number } {
  if (rule.kind === 'trend') return { table: '1m', ms: rule.window };
  if (rule.season === 'hourOfWeek') return { table: '1h', ms: 8 * 7 * DAY_MS };
  if (rule.season === 'hourOfDayWeekend') return { table: '1h', ms: 28 * DAY_MS };
  if (rule.season === 'hourOfDay') return { table: '1h', ms: 14 * DAY_MS };
  return { table: '1m', ms: 6 * HOUR_MS };
}

/**
 * Seeds `engine` as of `now` from `history` (the caller closes it). No embedded store yet (a first
 * start: the history sink creates it) seeds nothing; history that cannot be read throws.
 */
export async function seedFromHistory(
  engine: AlarmEngine,
  history: HistorySource,
  now: number,
  maxSeries = DEFAULT_MAX_SERIES,
): Promise<SeedResult> {
  const started = performance.now();
  const rules = engine.seedable();
  const none = { series: 0, rows: 0, skipped: 0, ms: 0 };
  if (rules.length === 0) return none;
  if (history instanceof EmbeddedHistory) {
    try {
      await access(history.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return none;
      throw error;
    }
  }
  let series = 0;
  let rows = 0;
  let skipped = 0;
  for (const info of await history.series()) {
    if (info.type === 'string') continue;
    for (const { rule, matches } of rules) {
      if (!matches(info)) continue;
      if (series >= maxSeries) {
        skipped++;
        continue;
      }
      const { table, ms } = seedSpan(rule);
      const width = table === '1m' ? MINUTE_MS : HOUR_MS;
      const buckets = await history.summaries(info, table, now - ms, now);
      const summaries = buckets.map((bucket) => summary(bucket, width));
      rows += summaries.length;
      if (summaries.length === 0) continue;
      const { source, measurement, field, tags } = info;
      engine.seed(rule.name, { source, measurement, field, tags }, summaries, now);
      series++;
      // The embedded store reads synchronously: let the broker and the other components run.
      if (series % 50 === 0) await setImmediate();
    }
  }
  return { series, rows, skipped, ms: Math.round(performance.now() - started) };
}

/** A bucket as the points it summarises, placed mid-bucket (where its mean belongs on a line). */
function summary(bucket: SummaryBucket, widthMs: number): Summary {
  return {
    time: bucket.time + widthMs / 2,
    mean: bucket.sum / bucket.count,
    min: bucket.min,
    max: bucket.max,
    count: bucket.count,
  };
}
