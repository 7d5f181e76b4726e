/**
 * The `history` section: where the readers of history (web, bot, alarm mails, alarm seeding) read
 * from. Imported by config/schema.ts; its defaults are stated here and only here.
 */
import { z } from 'zod';
import { duration } from '../config/duration.js';
import type { SinksConfig } from '../sinks/config.js';
import type { InfluxV1ReadConfig } from './influx-v1.js';

export const historySchema = z
  .object({
    read: z
      .string()
      .regex(/^(embedded|influx:.+)$/, 'embedded, or influx:<sink name> (e.g. influx:influxdb1)')
      .default('embedded')
      .describe(
        'Where history is read from: `embedded` (the store of sinks.history) or `influx:<sink>` (what that sink writes, e.g. `influx:influxdb1`).',
      ),
    sourceTag: z
      .string()
      .min(1)
      .default('host')
      .describe("Read from InfluxDB: the tag that names a series' source (the host agent sets `host`)."),
    timeout: duration.prefault('10s').describe('Read from InfluxDB: a query that takes longer fails.'),
  })
  .strict();

export type HistoryReadConfig = z.output<typeof historySchema>;

/** What a reader opens: the embedded store's file, InfluxDB 1.x, or nothing (the store is off). */
export type HistoryReadTarget =
  | { readonly kind: 'embedded'; readonly path: string }
  | ({ readonly kind: 'influx-v1' } & InfluxV1ReadConfig)
  | { readonly kind: 'off'; readonly why: string };

/** History nowhere: every read says the store is off. */
export const NO_HISTORY: HistoryReadTarget = {
  kind: 'off',
  why: 'the history store is off (sinks.history.enabled: false)',
};

/** Why `history.read` cannot be honoured with these sinks; undefined when it can. */
export function historyReadProblem(history: HistoryReadConfig, sinks: SinksConfig): string | undefined {
  if (history.read === 'embedded') return undefined;
  const sink = history.read.slice('influx:'.length);
  if (sink === 'influxdb1') return sinks.influxdb1 ? undefined : 'sinks.influxdb1 is not configured';
  if (sink === 'influxdb')
    return 'reading from InfluxDB 2.x (Flux) is not supported yet: use influx:influxdb1';
  return `no InfluxDB sink is named ${sink} (influxdb1)`;
}

/** The target the readers open, from a validated config. */
export function historyReadTarget(history: HistoryReadConfig, sinks: SinksConfig): HistoryReadTarget {
  if (history.read === 'influx:influxdb1' && sinks.influxdb1) {
    const { url, database, retentionPolicy, username, password } = sinks.influxdb1;
    return {
      kind: 'influx-v1',
      sink: 'influxdb1',
      url,
      database,
      retentionPolicy,
      username,
      password,
      sourceTag: history.sourceTag,
      timeoutMs: history.timeout,
    };
  }
  if (!sinks.history.enabled) return NO_HISTORY;
  return { kind: 'embedded', path: sinks.history.path };
}
