/**
 * `/metrics`: busbar's own statistics in the Prometheus text exposition format (version 0.0.4).
 * Every number in a retained `<base>/stats/<component>` document becomes a metric
 * `busbar_<component>_<path>`; nested objects extend the name, and an object of counters keyed by a
 * name (`rejected: {json: 2}`) could not be told apart from structure, so it extends the name too.
 *
 * The documents carry numbers, not their kind, so the kind is read from the name, as Prometheus's
 * naming conventions would have it (and `promtool check metrics` checks):
 * - a count of events since the component started (`messagesReceived`, `failed`, `timedOut`) is a
 *   `counter` and its name ends in `_total`;
 * - anything else (`clientsConnected`, `pending`, `queuedBytes`, `uptime`) is a `gauge`; a gauge never
 *   ends in `_total` or `_count` (`clientsTotal` becomes `busbar_broker_clients`), and milliseconds
 *   are published as seconds (`lastWriteMs` becomes `busbar_history_last_write_seconds`).
 * Every metric has a HELP line naming the document and key it comes from.
 */

/** Metric names match [a-zA-Z_:][a-zA-Z0-9_:]*. */
export function metricName(parts: readonly string[]): string {
  const name = parts
    .map((part) => part.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase())
    .join('_')
    .replace(/[^a-zA-Z0-9_:]/g, '_');
  return /^[a-zA-Z_:]/.test(name) ? name : `_${name}`;
}

/** Levels, whatever other words their names hold: how much is queued, open, kept now. */
const GAUGE =
  /(^|_)(queued|pending|in_flight|buffered|connected|last|max|min|uptime|capacity|online|offline|firing)(_|$)/;
/** Counts of events: the last word of the name says what happened (received, failed, ...). */
const COUNTER =
  /(^|_)(received|sent|written|dropped|accepted|rejected|failed|failures|errors|timeouts|timed_out|refused|requests|transactions|disconnects|pruned_points|pruned_rollups|deadlettered|suppressed|unauthorized|delayed|published|delivered|retries|runs|messages|origin|total|notified|evaluations|reconnects|polls|republish_failed)$/;

/** Levels whose names read like counts: `clientsTotal` is the broker's clients with sessions now. */
const LEVELS = new Set(['broker:clients_total']);

export type MetricKind = 'counter' | 'gauge';

/** The kind a statistic's name (below `busbar_<component>_`) implies. */
export function metricKind(name: string): MetricKind {
  if (GAUGE.test(name)) return 'gauge';
  return COUNTER.test(name) ? 'counter' : 'gauge';
}

interface Sample {
  readonly name: string;
  readonly kind: MetricKind;
  readonly help: string;
  readonly value: number;
}

/** A statistic as Prometheus names it: `_total` for counters, seconds for ms, no gauge `_total`. */
function sample(component: string, path: readonly string[], value: number): Sample {
  const inner = metricName(path);
  // Below a counter (`rejected: {json: 2}`), every number counts that event too.
  const underCounter = path.some(
    (_, i) => i < path.length - 1 && metricKind(metricName(path.slice(0, i + 1))) === 'counter',
  );
  const kind = LEVELS.has(`${component}:${inner}`) ? 'gauge' : underCounter ? 'counter' : metricKind(inner);
  let name = metricName(['busbar', ...component.split('/'), ...path]);
  const from = `${path.join('.')} of busbar/stats/${component}`;
  if (kind === 'counter') {
    if (!name.endsWith('_total')) name = `${name}_total`;
    return { name, kind, value, help: `${from}: a count since the component started.` };
  }
  if (name.endsWith('_ms')) {
    return { name: `${name.slice(0, -3)}_seconds`, kind, value: value / 1000, help: `${from}, in seconds.` };
  }
  name = name.replace(/_(total|count)$/, '');
  return { name, kind, value, help: `${from}.` };
}

function collect(value: unknown, component: string, path: string[], out: Map<string, Sample>): void {
  if (typeof value === 'number' && Number.isFinite(value)) {
    const entry = sample(component, path, value);
    out.set(entry.name, entry);
  } else if (typeof value === 'boolean') {
    const entry = sample(component, path, value ? 1 : 0);
    out.set(entry.name, entry);
  } else if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, child] of Object.entries(value)) collect(child, component, [...path, key], out);
  }
}

/** HELP text escapes backslashes and newlines (the exposition format's only escapes there). */
function helpText(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

export function prometheusText(stats: ReadonlyMap<string, Record<string, unknown>>): string {
  const samples = new Map<string, Sample>();
  for (const id of [...stats.keys()].sort()) collect(stats.get(id), id, [], samples);
  const lines: string[] = [];
  for (const entry of samples.values()) {
    lines.push(`# HELP ${entry.name} ${helpText(entry.help)}`, `# TYPE ${entry.name} ${entry.kind}`);
    lines.push(`${entry.name} ${entry.value}`);
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
