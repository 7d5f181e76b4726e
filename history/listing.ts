/**
 * What the remote readers (InfluxDB, VictoriaMetrics) share: the list of series is asked for once
 * and reused for a few seconds (GRAPH lists, then reads each series it draws), sorted by name with
 * ids in that order, and selected by the embedded store's patterns; ranges are cut into buckets of
 * the embedded store's widths.
 */
import { niceStep } from '../sinks/history/resolution.js';
import { compilePattern } from '../sinks/history/series-name.js';
import type { SeriesInfo, SourceInfo } from './source.js';

/** How long a listing of the series is reused. */
const LISTING_TTL_MS = 5_000;

export type UnnumberedSeries = Omit<SeriesInfo, 'id'>;

const byName = (a: { name: string }, b: { name: string }): number =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : 0;

export class SeriesListing {
  private listing: { readonly at: number; readonly series: Promise<SeriesInfo[]> } | undefined;

  constructor(private readonly list: () => Promise<UnnumberedSeries[]>) {}

  private all(): Promise<SeriesInfo[]> {
    const now = Date.now();
    if (this.listing === undefined || now - this.listing.at > LISTING_TTL_MS) {
      const series = this.list().then((found) => found.sort(byName).map((one, id) => ({ id, ...one })));
      this.listing = { at: now, series };
      // A failure is not kept: the next call asks again.
      series.catch(() => {
        if (this.listing?.series === series) this.listing = undefined;
      });
    }
    return this.listing.series;
  }

  /** Every series, or those `pattern` selects (sinks/history/series-name.ts). */
  async select(pattern?: string): Promise<SeriesInfo[]> {
    const all = await this.all();
    if (pattern === undefined) return all.slice();
    const matches = compilePattern(pattern);
    return all.filter((one) => matches(one.name));
  }

  async sources(): Promise<SourceInfo[]> {
    const counts = new Map<string, number>();
    for (const one of await this.select()) counts.set(one.source, (counts.get(one.source) ?? 0) + 1);
    return [...counts.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([source, series]) => ({ source, series }));
  }
}

/** Series in groups that one query answers (same measurement and field, or same metric name). */
export function groupSeries<K>(series: readonly SeriesInfo[], key: (one: SeriesInfo) => K): SeriesInfo[][] {
  const groups = new Map<K, SeriesInfo[]>();
  for (const one of series) {
    const at = key(one);
    const group = groups.get(at);
    if (group) group.push(one);
    else groups.set(at, [one]);
  }
  return [...groups.values()];
}

export function sortByName<T extends { series: { name: string } }>(out: T[]): T[] {
  return out.sort((a, b) => byName(a.series, b.series));
}

/**
 * The bucket width of a range of `maxPoints` at most, as the embedded store picks it for raw points
 * (round times on an axis; sinks/history/resolution.ts).
 */
export function bucketWidthMs(from: number, to: number, maxPoints: number): number {
  const bucketUs = niceStep(Math.max(1, Math.ceil(((to - from) * 1000) / Math.max(1, maxPoints - 1))));
  return Math.max(1, Math.round(bucketUs / 1000));
}

/**
 * Whether a range may come back raw at all: as in the embedded store, only where its buckets are
 * narrower than a minute (wider ones it reads from its rollups, bucketed however few the points),
 * so that both answer a chart alike.
 */
export function rawAllowed(bucketMs: number): boolean {
  return bucketMs < 60_000;
}
