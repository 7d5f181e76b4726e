/** What a chart shows: series of points over a time range, with thresholds and firing periods. */
export interface ChartPoint {
  /** Milliseconds since the epoch. */
  readonly time: number;
  readonly value: number;
}

export interface ChartSeries {
  readonly name: string;
  readonly points: readonly ChartPoint[];
}

export interface ChartSpec {
  readonly title: string;
  /** The time axis range, milliseconds since the epoch. */
  readonly from: number;
  readonly to: number;
  /** Several series share one chart, with a legend when there is more than one. */
  readonly series: readonly ChartSeries[];
  /** Shown in the title and on the y axis. */
  readonly unit?: string;
  /** Dashed horizontal lines. */
  readonly thresholds?: readonly { readonly value: number; readonly label: string }[];
  /** Shaded periods (an alarm firing). */
  readonly firing?: readonly { readonly from: number; readonly to: number }[];
  /** Pixels; default 800 x 400. */
  readonly width?: number;
  readonly height?: number;
}
