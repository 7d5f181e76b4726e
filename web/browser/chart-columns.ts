/** The columns a uPlot chart draws from its series' points. */

export interface Point {
  readonly time: number;
  readonly value: unknown;
}

export interface Columns {
  /** The union of the series' times (ms), ascending. */
  readonly times: number[];
  /** Per series, its own values at those times (null where it has none): what the legend shows. */
  readonly raw: Array<Array<number | null>>;
  /** uPlot's data: times in seconds, then the values drawn (cumulative sums when stacked). */
  readonly data: [number[], ...Array<Array<number | null>>];
}

/**
 * Stacked charts hold cumulative sums (drawn last to first, so each band shows), and the legend
 * shows each series' own value from `raw`.
 */
export function columns(
  series: ReadonlyArray<{ readonly points: readonly Point[] }>,
  stacked: boolean,
): Columns {
  const times = [...new Set(series.flatMap((s) => s.points.map((p) => p.time)))].sort((a, b) => a - b);
  const at = new Map(times.map((time, i) => [time, i]));
  const raw = series.map((s) => {
    const values: Array<number | null> = times.map(() => null);
    for (const point of s.points)
      if (typeof point.value === 'number') values[at.get(point.time)!] = point.value;
    return values;
  });
  let drawn = raw;
  if (stacked) {
    const sum = times.map(() => 0);
    drawn = raw.map((values) =>
      values.map((value, i) => {
        if (value === null) return null;
        sum[i] = sum[i]! + value;
        return sum[i]!;
      }),
    );
  }
  return { times, raw, data: [times.map((time) => time / 1000), ...drawn] };
}
