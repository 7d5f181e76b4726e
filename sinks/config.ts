/**
 * The `sinks` section of the config file: the history store (on by default) and the InfluxDB sinks
 * (off until configured). Imported by config/schema.ts; every sink default is stated here and only here.
 */
import { z } from 'zod';
import { byteSize, duration } from '../config/duration.js';

const history = z
  .object({
    enabled: z
      .boolean()
      .default(true)
      .describe('Keep every metric in the embedded history store (STATUS, GRAPH, `busbar query`).'),
    path: z
      .string()
      .min(1)
      .default('data/history.db')
      .describe('SQLite file of the history store; relative to the working directory.'),
    rawRetention: duration.prefault('48h').describe('How long raw points are kept.'),
    minuteRetention: duration.prefault('30d').describe('How long 1-minute rollups are kept.'),
    hourRetention: duration.prefault('730d').describe('How long 1-hour rollups are kept.'),
    pruneInterval: duration.prefault('10m').describe('How often points past their retention are deleted.'),
    batchSize: z.number().int().min(1).default(100_000).describe('Points written per transaction at most.'),
    flushInterval: duration
      .prefault('1s')
      .describe('Points wait at most this long in memory before they are written.'),
    statsInterval: duration.prefault('10s').describe('How often <base>/stats/history is republished.'),
  })
  .strict();

const precision = z.enum(['ns', 'us', 'ms', 's']);

/** What both InfluxDB sinks share: batching, retries, the outbox and the bus subscription. */
const delivery = {
  precision: precision.default('ns').describe('Timestamp precision of the lines written.'),
  batchSize: z.number().int().min(1).default(5_000).describe('Lines per write request at most.'),
  flushInterval: duration.prefault('1s').describe('A batch is sent after this long even if not full.'),
  gzip: z
    .boolean()
    .default(true)
    .describe('Compress batches: stored so in the outbox, sent with Content-Encoding: gzip.'),
  timeout: duration.prefault('10s').describe('A write request that takes longer is retried.'),
  retryDelay: duration.prefault('1s').describe('First retry delay; doubles (with jitter) on each failure.'),
  maxRetryDelay: duration.prefault('60s').describe('Ceiling of the retry delay.'),
  durable: z
    .boolean()
    .default(true)
    .describe('Keep batches on disk until the database has them (false: in memory only).'),
  outboxMaxSize: byteSize
    .prefault('1GiB')
    .describe(
      'When the outbox holds more (compressed), the oldest batches are dropped (counted, logged, alarmed).',
    ),
  sourceTag: z
    .union([z.string().min(1), z.literal(false)])
    .default('source')
    .describe(
      'Tag that carries the source of `<base>/metrics/<source>/...` to InfluxDB, added to lines without it (history read back from InfluxDB files series by it); false: none.',
    ),
  shareGroup: z
    .string()
    .optional()
    .describe('MQTT shared-subscription group: busbar processes with the same group split the stream.'),
  statsInterval: duration.prefault('10s').describe('How often <base>/stats/<sink> is republished.'),
};

const influxV2 = z
  .object({
    url: z.url().describe('Base URL of the InfluxDB 2.x (or compatible) server, e.g. http://127.0.0.1:8086.'),
    token: z.string().optional().describe('API token (use `${file:...}` or `${ENV}`).'),
    org: z.string().default('').describe('Organization name or id.'),
    bucket: z.string().min(1).describe('Bucket written to.'),
    outboxPath: z
      .string()
      .min(1)
      .default('data/outbox-influxdb.db')
      .describe('SQLite file of the durable outbox.'),
    ...delivery,
  })
  .strict();

const influxV1 = z
  .object({
    url: z.url().describe('Base URL of the InfluxDB 1.x server, e.g. http://127.0.0.1:8086.'),
    database: z.string().min(1).describe('Database written to (`db=`).'),
    retentionPolicy: z
      .string()
      .optional()
      .describe('Retention policy (`rp=`; default: the database default).'),
    username: z.string().optional().describe('Basic-auth user.'),
    password: z.string().optional().describe('Basic-auth password (use `${file:...}` or `${ENV}`).'),
    outboxPath: z
      .string()
      .min(1)
      .default('data/outbox-influxdb1.db')
      .describe('SQLite file of the durable outbox.'),
    ...delivery,
  })
  .strict();

export const sinksSchema = z
  .object({
    history: history.prefault({}).describe('The embedded history store.'),
    influxdb: influxV2
      .optional()
      .describe('InfluxDB v2 write API (/api/v2/write): InfluxDB 2.x, VictoriaMetrics.'),
    influxdb1: influxV1.optional().describe('InfluxDB 1.x write API (/write?db=): InfluxDB 1.x before 1.8.'),
  })
  .strict();

export type SinksConfig = z.output<typeof sinksSchema>;
export type HistoryConfig = SinksConfig['history'];
export type InfluxV2Config = z.output<typeof influxV2>;
export type InfluxV1Config = z.output<typeof influxV1>;
/** The options both InfluxDB sinks share. */
export type DeliveryConfig = Pick<InfluxV2Config, keyof typeof delivery>;
