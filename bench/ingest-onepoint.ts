/**
 * The one-point-per-message workload (the shape most devices send): `{"host":"h12","value":12.5,"ts":<ms>}`
 * on `bench/<host>`, turned into metrics by an ingest rule (`json`), or the same point as one line of
 * line protocol on busbar's metric topic `busbar/metrics/bench/<host>` (`line`). Each message is one
 * point, so every stage's fixed cost per message is paid once per point. The same points as line
 * protocol are what the direct-HTTP reference posts.
 */
import type { LoadMessage, LoadSpec } from './ingest-load.js';

/** The ingest rule that turns `bench/<host>` JSON into `<measurement>,host=<host> value=<value>`. */
export function onePointRuleYaml(measurement: string): string[] {
  return [
    'ingest:',
    '  rules:',
    '    - topic: bench/+host',
    '      source: bench',
    `      measurement: ${measurement}`,
    "      tags: { host: '{host}' }",
    '      format: json',
    '      fields: [{ path: value }]',
    '      timestampPath: ts',
    '      timestampUnit: ms',
  ];
}

/** The payload of the one-point workload: a JSON object for the ingest rule, or one line protocol line. */
export type OnePointFormat = 'json' | 'line';

/** The topic filter that covers every message of the one-point workload in `format`. */
export function onePointFilter(format: OnePointFormat): string {
  return format === 'json' ? 'bench/#' : 'busbar/metrics/bench/#';
}

/**
 * `spec.lines` messages of one point each: host `h<i % series>` at `startMs + floor(i / series)` ms, so
 * no two points share a series and a time. `lines` holds the same points as line protocol, one per
 * buffer, measurement `measurement` (a `line` message is that buffer).
 */
export function generateOnePoint(
  spec: LoadSpec,
  measurement: string,
  startMs: number,
  format: OnePointFormat = 'json',
): { messages: LoadMessage[]; lines: Buffer[] } {
  const messages: LoadMessage[] = [];
  const lines: Buffer[] = [];
  for (let i = 0; i < spec.lines; i++) {
    const host = `h${i % spec.series}`;
    const ms = startMs + Math.floor(i / spec.series);
    const value = (i % 1000) / 4;
    const line = Buffer.from(`${measurement},host=${host} value=${value} ${ms}000000`);
    messages.push(
      format === 'json'
        ? { topic: `bench/${host}`, payload: Buffer.from(JSON.stringify({ host, value, ts: ms })) }
        : { topic: `busbar/metrics/bench/${host}`, payload: line },
    );
    lines.push(line);
  }
  return { messages, lines };
}
