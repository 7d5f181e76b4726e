/**
 * `/metrics`: busbar's own statistics in the Prometheus text exposition format (version 0.0.4).
 * Every number in a retained `<base>/stats/<component>` document becomes a gauge
 * `busbar_<component>_<path>`; nested objects extend the name, and an object of counters keyed by a
 * name (`rejected: {json: 2}`) could not be told apart from structure, so it extends the name too.
 */

/** Metric names match [a-zA-Z_:][a-zA-Z0-9_:]*. */
export function metricName(parts: readonly string[]): string {
  const name = parts
    .map((part) => part.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase())
    .join('_')
    .replace(/[^a-zA-Z0-9_:]/g, '_');
  return /^[a-zA-Z_:]/.test(name) ? name : `_${name}`;
}

function collect(value: unknown, path: string[], out: Map<string, number>): void {
  if (typeof value === 'number' && Number.isFinite(value)) out.set(metricName(path), value);
  else if (typeof value === 'boolean') out.set(metricName(path), value ? 1 : 0);
  else if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, child] of Object.entries(value)) collect(child, [...path, key], out);
  }
}

export function prometheusText(stats: ReadonlyMap<string, Record<string, unknown>>): string {
  const lines: string[] = [];
  for (const id of [...stats.keys()].sort()) {
    const values = new Map<string, number>();
    collect(stats.get(id), ['busbar', ...id.split('/')], values);
    for (const [name, value] of values) {
      lines.push(`# TYPE ${name} gauge`, `${name} ${value}`);
    }
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
