/**
 * The pieces of the Prometheus query API the VictoriaMetrics reader needs: series selectors with
 * quoted label values, the JSON answer, sample times.
 * https://prometheus.io/docs/prometheus/latest/querying/api/ (format of query results)
 */

export interface PrometheusSeries {
  readonly metric: Readonly<Record<string, string>>;
  /** An instant vector's sample: [seconds, "value"]. */
  readonly value?: [number, string];
  /** A matrix's samples. */
  readonly values?: [number, string][];
}

export interface PrometheusAnswer {
  readonly status?: string;
  readonly data?: unknown;
  readonly error?: string;
}

/** `"value"` as PromQL reads a double-quoted string (Go escapes). */
function quote(value: string): string {
  return JSON.stringify(value);
}

/** `{name="value",...}`: series with exactly these values of these labels (and any others). */
export function selector(labels: Readonly<Record<string, string>>): string {
  return `{${Object.entries(labels)
    .map(([name, value]) => `${name}=${quote(value)}`)
    .join(',')}}`;
}

/** Whether a result's labels are `labels` (the metric name, which rollups drop, left aside). */
export function labelsMatch(
  metric: Readonly<Record<string, string>>,
  labels: Readonly<Record<string, string>>,
): boolean {
  const keys = Object.keys(metric).filter((key) => key !== '__name__');
  return keys.length === Object.keys(labels).length && keys.every((key) => metric[key] === labels[key]);
}

/** Seconds with millisecond decimals, as the API answers them, to milliseconds. */
export function sampleTime(seconds: number | string): number {
  return Math.round(Number(seconds) * 1000);
}
