/**
 * Units of the charts and their formatting: binary prefixes for bytes, decimal for bits and counts,
 * durations in the largest unit that reads well, and the unit a field's name implies.
 */

export type Unit = 'bytes' | 'B/s' | 'bit/s' | '%' | '°C' | 's' | 'ms' | '/s' | 'IOPS' | 'number';

const BIN = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];
const SI = ['', 'k', 'M', 'G', 'T', 'P', 'E'];

/** Three significant digits at most, never an exponent. */
function num(value: number): string {
  const a = Math.abs(value);
  if (a === 0) return '0';
  if (a >= 100) return String(Math.round(value));
  if (a >= 10) return String(Math.round(value * 10) / 10);
  if (a >= 1) return String(Math.round(value * 100) / 100);
  return String(Number(value.toPrecision(2)));
}

function prefixed(value: number, base: number, prefixes: readonly string[], suffix: string): string {
  let i = 0;
  while (Math.abs(value) >= base && i < prefixes.length - 1) {
    value /= base;
    i++;
  }
  return `${num(value)} ${prefixes[i]}${suffix}`.trim();
}

function duration(seconds: number): string {
  const a = Math.abs(seconds);
  if (a < 120) return `${num(seconds)} s`;
  if (a < 7200) return `${num(seconds / 60)} min`;
  if (a < 172800) return `${num(seconds / 3600)} h`;
  return `${num(seconds / 86400)} d`;
}

const FORMATS: Readonly<Record<Unit, (value: number) => string>> = {
  bytes: (v) => prefixed(v, 1024, BIN, 'B'),
  'B/s': (v) => prefixed(v, 1024, BIN, 'B/s'),
  'bit/s': (v) => prefixed(v, 1000, SI, 'bit/s'),
  '%': (v) => `${num(v)} %`,
  '°C': (v) => `${num(v)} °C`,
  s: duration,
  ms: (v) => (Math.abs(v) >= 1000 ? duration(v / 1000) : `${num(v)} ms`),
  '/s': (v) => prefixed(v, 1000, SI, '/s'),
  IOPS: (v) => prefixed(v, 1000, SI, 'IOPS'),
  number: (v) => prefixed(v, 1000, SI, ''),
};

/** A value with its unit; '–' for no value. */
export function format(value: unknown, unit: Unit): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return '–';
  return FORMATS[unit](value);
}

/** Tick steps for byte axes: powers of two of each binary prefix (4 GiB, 8 GiB, not 9.31 GiB). */
export const BINARY_STEPS: readonly number[] = Array.from({ length: 7 }, (_, k) =>
  Array.from({ length: 10 }, (__, m) => 2 ** m * 1024 ** k),
).flat();

/** Tick steps for every other axis: 1, 2, 2.5 and 5 times a power of ten. */
export const DECIMAL_STEPS: readonly number[] = Array.from({ length: 22 }, (_, i) =>
  [1, 2, 2.5, 5].map((f) => Number((f * 10 ** (i - 3)).toPrecision(3))),
).flat();

const BYTE_FIELDS = ['total', 'used', 'free', 'available', 'buffered', 'cached', 'memory_rss', 'memory_vms'];
const BYTE_MEASUREMENTS = ['mem', 'swap', 'disk', 'procstat'];

/** The unit a field's name implies (Telegraf's and busbar's naming), 'number' when it says none. */
export function unitOf(measurement: string, field: string): Unit {
  const f = field.toLowerCase();
  if (f.includes('percent') || /(^usage_|_usage$|_pct$)/.test(f)) return '%';
  if (/bits?_(per_sec|per_second)$/.test(f)) return 'bit/s';
  if (/bytes?_(per_sec|per_second)$/.test(f)) return 'B/s';
  if (/(_per_sec|_per_second|_rate)$/.test(f)) return '/s';
  if (f.includes('bytes')) return 'bytes';
  if (BYTE_MEASUREMENTS.includes(measurement) && BYTE_FIELDS.includes(f)) return 'bytes';
  if (/(temp|celsius)/.test(f)) return '°C';
  if (/(uptime|_seconds$)/.test(f)) return 's';
  if (/_ms$/.test(f)) return 'ms';
  return 'number';
}
