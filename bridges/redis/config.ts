/**
 * The `bridges.redis` section of the config file: the Redis server and the key selections read
 * from it. Composed into config/schema.ts through bridges/config.ts; every default is here.
 */
import { z } from 'zod';
import { duration } from '../../config/duration.js';
import { TIMESTAMP_UNITS } from '../../ingest/timestamp.js';
import { compileKeyPattern } from './key-pattern.js';

const name = z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/, 'letters, digits, _ . - (not first)');

const fieldSchema = z
  .object({
    path: z
      .string()
      .min(1)
      .describe('Dotted path in the JSON value (`power.kw`, `phases.0.amps`), a hash field, or `value`.'),
    name: name.optional().describe('Field name (default: the path with dots as underscores).'),
    scale: z
      .number()
      .default(1)
      .describe('Unit conversion: the value is multiplied by this (kW → W: 1000)...'),
    offset: z
      .number()
      .default(0)
      .describe('... and then this is added (°F → °C: scale 0.5556, offset -17.778).'),
    type: z
      .enum(['float', 'integer', 'boolean', 'string'])
      .default('float')
      .describe('Field type; scale and offset apply to float and integer.'),
  })
  .strict();

const lookupSchema = z
  .object({
    from: name.describe('Tag (or key capture) whose value is looked up.'),
    values: z.record(z.string(), z.string()).describe('Value of `from` → value of the new tag.'),
    default: z.string().optional().describe('Value when `from` is not in `values` (default: no tag).'),
  })
  .strict();

const selectionSchema = z
  .object({
    name: name.describe('Names the selection in stats and logs.'),
    match: z.string().min(1).describe('SCAN MATCH glob: `electrical:busplug*R1*PA*`.'),
    type: z
      .enum(['json', 'hash', 'number'])
      .default('json')
      .describe(
        '`json`: string values holding JSON (read with MGET); `hash`: HGETALL; `number`: a plain number (MGET).',
      ),
    pattern: z
      .string()
      .optional()
      .describe('Key pattern naming parts of the key: `electrical:busplug:{rack}:{phase}`; `*` skips text.'),
    source: z
      .string()
      .default('redis')
      .describe('Source of the metrics (topic level); may use `{captures}`.'),
    measurement: z.string().min(1).describe('Measurement; may use `{captures}`.'),
    tags: z
      .record(name, z.string())
      .default({})
      .describe(
        'Tags; values may use `{captures}`. Every capture is also a tag unless `captureTags` is false.',
      ),
    tagPaths: z
      .record(name, z.string().min(1))
      .default({})
      .describe('Tags from the value: tag → JSON path (`tags.device_id`) or hash field; missing: no tag.'),
    captureTags: z.boolean().default(true).describe('Make every pattern capture a tag.'),
    lookups: z
      .record(name, lookupSchema)
      .default({})
      .describe('Tags derived from another tag through a table (rack → pod).'),
    fields: z
      .array(fieldSchema)
      .optional()
      .describe('Fields to take; default: every top-level number (`number` keys: field `value`).'),
    timestampPath: z
      .string()
      .optional()
      .describe(
        'JSON path of the reading time (number or numeric string in `timestampUnit`, or ISO 8601); missing or null: the read time (counted).',
      ),
    timestampUnit: z
      .enum(TIMESTAMP_UNITS)
      .default('auto')
      .describe('Unit of a numeric timestamp; `auto` picks it by magnitude (exact for any time after 1973).'),
    interval: duration
      .refine((ms) => ms >= 50, 'at least 50ms')
      .prefault('60s')
      .describe('How often the selection is read.'),
    notify: z
      .boolean()
      .default(false)
      .describe('Also read a key as soon as Redis reports it changed (keyspace notifications).'),
  })
  .strict()
  .superRefine((selection, ctx) => {
    if (selection.pattern === undefined) return;
    try {
      const pattern = compileKeyPattern(selection.pattern);
      const known = new Set(pattern.names);
      const templates: [string, string][] = [
        ['source', selection.source],
        ['measurement', selection.measurement],
        ...Object.entries(selection.tags).map(([tag, text]): [string, string] => [`tags.${tag}`, text]),
      ];
      for (const [key, text] of templates) {
        for (const [, used] of text.matchAll(/\{([^{}]+)\}/g)) {
          if (!known.has(used!)) {
            ctx.addIssue({
              code: 'custom',
              path: key.split('.'),
              message: `"{${used}}" is not named in the pattern`,
            });
          }
        }
      }
    } catch (error) {
      ctx.addIssue({ code: 'custom', path: ['pattern'], message: (error as Error).message });
    }
  });

export const redisSchema = z
  .object({
    name: name
      .default('redis')
      .describe('Status topic <base>/status/<name> and stats topic <base>/stats/<name>.'),
    host: z.string().default('127.0.0.1').describe('Redis host.'),
    port: z.number().int().min(1).max(65535).default(6379).describe('Redis port.'),
    username: z.string().optional().describe('ACL user (Redis 6+).'),
    password: z.string().optional().describe('Never logged; use `${file:...}` or `${ENV}`.'),
    db: z.number().int().min(0).default(0).describe('Database number.'),
    connectTimeout: duration.prefault('5s').describe('A connection attempt that takes longer fails.'),
    commandTimeout: duration
      .prefault('10s')
      .describe('A command (SCAN, MGET batch) that takes longer fails the read.'),
    retryDelay: duration
      .prefault('500ms')
      .describe('First reconnect delay; doubles (with jitter) on each failure.'),
    maxRetryDelay: duration.prefault('30s').describe('Ceiling of the reconnect delay.'),
    scanCount: z.number().int().min(1).default(1000).describe('COUNT hint of each SCAN call.'),
    batchSize: z.number().int().min(1).default(500).describe('Keys per MGET (or HGETALL pipeline) command.'),
    linesPerMessage: z
      .number()
      .int()
      .min(1)
      .default(500)
      .describe('Metric lines per published message at most.'),
    configureKeyspaceEvents: z
      .boolean()
      .default(false)
      .describe(
        'With `notify` selections: turn on notify-keyspace-events (K$h) with CONFIG SET if it is off.',
      ),
    deadletterPerSecond: z
      .number()
      .positive()
      .default(10)
      .describe('Unparsable values republished on <base>/deadletter/redis-value per second at most.'),
    statsInterval: duration.prefault('10s').describe('How often <base>/stats/<name> is republished.'),
    selections: z.array(selectionSchema).min(1).describe('Key selections, each read on its own interval.'),
  })
  .strict()
  .superRefine((redis, ctx) => {
    const seen = new Set<string>();
    redis.selections.forEach((selection, index) => {
      if (seen.has(selection.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['selections', index, 'name'],
          message: `selection "${selection.name}" is defined twice`,
        });
      }
      seen.add(selection.name);
    });
  })
  .describe('Redis bridge: reads keys (JSON, hashes, numbers) and publishes them as metrics.');

export type RedisConfig = z.output<typeof redisSchema>;
export type RedisSelection = z.output<typeof selectionSchema>;
export type RedisFieldConfig = z.output<typeof fieldSchema>;
