/**
 * The `history` section: where the readers of history (web, bot, alarm mails, alarm seeding) read
 * from. Imported by config/schema.ts; its defaults are stated here and only here (the tag that names
 * a series' source is the sink's `sourceTag`: sinks/config.ts).
 */
import { z } from 'zod';
import { duration } from '../config/duration.js';
import type { SinksConfig } from '../sinks/config.js';
import type { InfluxV1ReadConfig } from './influx-v1.js';
import type { VictoriaMetricsReadConfig } from './victoria-metrics.js';

export const historySchema = z
  .object({
    read: z
      .string()
      .regex(
        /^(embedded|influx:.+|victoriametrics:.+)$/,
        'embedded, influx:<sink name> (e.g. influx:influxdb1) or victoriametrics:<sink name>',
      )
      .default('embedded')
      .describe(
        "Where history is read from: `embedded` (the store of sinks.history), `influx:<sink>` (InfluxQL on the server that sink writes to: `influx:influxdb1`, or `influx:influxdb` through InfluxDB 2.x/3.x's 1.x compatibility API) or `victoriametrics:<sink>` (the Prometheus query API of the VictoriaMetrics that sink writes to).",
      ),
    sourceTag: z
      .string()
      .min(1)
      .optional()
      .describe(
        "Read from InfluxDB or VictoriaMetrics: the tag that names a series' source; default: the sink's `sourceTag` (`source`).",
      ),
    token: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Read from InfluxDB 2.x/3.x through its 1.x compatibility API: an API token, sent as `Authorization: Token` (use `${file:...}` or `${ENV}`).',
      ),
    database: z
      .string()
      .min(1)
      .optional()
      .describe(
        "Read `influx:influxdb` (InfluxDB 2.x/3.x, 1.x compatibility API): the database its DBRP mapping gives the sink's bucket; default: the bucket's name.",
      ),
    measurementSeparator: z
      .string()
      .min(1)
      .default('_')
      .describe(
        'Read from VictoriaMetrics: what joins measurement and field in its metric names (its `-influxMeasurementFieldSeparator`); names are split at the first one.',
      ),
    timeout: duration
      .prefault('10s')
      .describe('Read from InfluxDB or VictoriaMetrics: a query that takes longer fails.'),
  })
  .strict();

export type HistoryReadConfig = z.output<typeof historySchema>;

/** What a reader opens: the embedded store's file, InfluxDB 1.x, VictoriaMetrics, or nothing. */
export type HistoryReadTarget =
  | { readonly kind: 'embedded'; readonly path: string }
  | ({ readonly kind: 'influx-v1' } & InfluxV1ReadConfig)
  | ({ readonly kind: 'victoriametrics' } & VictoriaMetricsReadConfig)
  | { readonly kind: 'off'; readonly why: string };

/** History nowhere: every read says the store is off. */
export const NO_HISTORY: HistoryReadTarget = {
  kind: 'off',
  why: 'the history store is off (sinks.history.enabled: false)',
};

type SinkName = 'influxdb' | 'influxdb1';

/** `influx:influxdb1` → reader and sink names; undefined for `embedded`. */
function parseRead(read: string): { reader: 'influx' | 'victoriametrics'; sink: string } | undefined {
  const colon = read.indexOf(':');
  if (colon < 0) return undefined;
  return { reader: read.slice(0, colon) as 'influx' | 'victoriametrics', sink: read.slice(colon + 1) };
}

/**
 * The database (and retention policy) InfluxDB 2.x maps a bucket to when no mapping was made by
 * hand: its name, or `db/rp` split at the slash ("virtual" DBRP mappings).
 * https://docs.influxdata.com/influxdb/v2/reference/api/influxdb-1x/dbrp/
 */
function virtualDbrp(bucket: string, database: string | undefined) {
  if (database !== undefined) return { database };
  const slash = bucket.indexOf('/');
  if (slash < 0) return { database: bucket };
  return { database: bucket.slice(0, slash), retentionPolicy: bucket.slice(slash + 1) };
}

/** Why `history.read` cannot be honoured with these sinks; undefined when it can. */
export function historyReadProblem(history: HistoryReadConfig, sinks: SinksConfig): string | undefined {
  const read = parseRead(history.read);
  if (read === undefined) return undefined;
  const { sink } = read;
  if (sink !== 'influxdb1' && sink !== 'influxdb')
    return `no InfluxDB sink is named ${sink} (influxdb, influxdb1)`;
  const config = sinks[sink as SinkName];
  if (!config) return `sinks.${sink} is not configured`;
  if (history.sourceTag === undefined && config.sourceTag === false)
    return `sinks.${sink}.sourceTag is false: name the tag that holds a series' source in history.sourceTag`;
  return undefined;
}

/** The target the readers open, from a validated config. */
export function historyReadTarget(history: HistoryReadConfig, sinks: SinksConfig): HistoryReadTarget {
  const read = parseRead(history.read);
  const sink = read && sinks[read.sink as SinkName];
  if (read && sink && historyReadProblem(history, sinks) === undefined) {
    const common = {
      sink: read.sink,
      url: sink.url,
      sourceTag: history.sourceTag ?? (sink.sourceTag as string),
      timeoutMs: history.timeout,
    };
    if ('database' in sink) {
      const { database, retentionPolicy, username, password } = sink;
      if (read.reader === 'influx')
        return {
          kind: 'influx-v1',
          ...common,
          database,
          retentionPolicy,
          username,
          password,
          token: history.token,
        };
      return {
        kind: 'victoriametrics',
        ...common,
        // VictoriaMetrics files what /write?db= brings under the label `db`.
        database,
        username,
        password,
        measurementSeparator: history.measurementSeparator,
      };
    }
    if (read.reader === 'influx')
      // InfluxQL on the 1.x compatibility API of InfluxDB 2.x/3.x: a DBRP-mapped database, a token.
      return {
        kind: 'influx-v1',
        ...common,
        ...virtualDbrp(sink.bucket, history.database),
        token: history.token ?? sink.token,
      };
    // A VictoriaMetrics that takes /api/v2/write needs no token; its reader sends none.
    return { kind: 'victoriametrics', ...common, measurementSeparator: history.measurementSeparator };
  }
  if (!sinks.history.enabled) return NO_HISTORY;
  return { kind: 'embedded', path: sinks.history.path };
}
