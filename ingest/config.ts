/**
 * The `ingest` section of the config file: rules that turn device topics into metrics, and the dead
 * letters of what does not parse. Imported by config/schema.ts; every ingest default is stated here
 * and only here.
 */
import { z } from 'zod';
import { duration } from '../config/duration.js';
import { compileTemplate } from './template.js';
import { compileTopicPattern } from './topic-pattern.js';
import { TIMESTAMP_UNITS } from './timestamp.js';

const fieldType = z.enum(['float', 'integer', 'unsigned', 'boolean', 'string']);

const jsonFieldSchema = z
  .object({
    path: z.string().min(1).describe('Dotted path into the JSON payload, e.g. `sensor.temp` or `values.0`.'),
    name: z.string().optional().describe('Field name (default: the last path segment).'),
    type: fieldType.optional().describe('Coerce to this type (default: as the JSON value is).'),
  })
  .strict();

export const ingestRuleSchema = z
  .object({
    topic: z
      .string()
      .min(1)
      .describe('MQTT filter with named segments: `sensors/+room/+measurement`, `+name` captures one level.'),
    source: z.string().default('devices').describe('Source name; may use captures: `{room}`.'),
    measurement: z
      .string()
      .optional()
      .describe('Measurement; may use captures (default: the last topic level).'),
    tags: z.record(z.string(), z.string()).default({}).describe('Tags; values may use captures.'),
    format: z
      .enum(['value', 'json', 'line'])
      .default('value')
      .describe('Payload form: a plain value, JSON, or line protocol.'),
    field: z.string().default('value').describe('Field name for `value` payloads.'),
    type: fieldType.default('float').describe('Field type for `value` payloads.'),
    fields: z
      .array(jsonFieldSchema)
      .optional()
      .describe('`json` payloads: fields to take; default every top-level number, boolean and string.'),
    timestampPath: z
      .string()
      .optional()
      .describe(
        '`json` payloads: path of the reading time (a number or numeric string in `timestampUnit`, or ISO 8601); missing or null: the receive time.',
      ),
    timestampUnit: z
      .enum(TIMESTAMP_UNITS)
      .default('auto')
      .describe(
        'Unit of a numeric `timestampPath`: s, ms, us, ns, or auto (by magnitude; exact for any time after 1973).',
      ),
  })
  .strict();

export const ingestSchema = z
  .object({
    rules: z
      .array(ingestRuleSchema)
      .default([])
      .describe('Device topic → metric mappings; the first match handles a topic.'),
    deadletterPerSecond: z
      .number()
      .positive()
      .default(10)
      .describe('Rejected payloads republished on <base>/deadletter/<reason> per second at most.'),
    statsInterval: duration.prefault('10s').describe('How often <base>/stats/ingest is republished.'),
  })
  .strict()
  .describe('Ingest rules and dead letters.');

/** Problems of one ingest rule that zod's shapes cannot see: its pattern and its `{name}` templates. */
export function ingestRuleProblems(rule: IngestRule, baseTopic: string): { key: string; message: string }[] {
  const problems: { key: string; message: string }[] = [];
  let names: Set<string>;
  try {
    const pattern = compileTopicPattern(rule.topic);
    names = new Set(pattern.names);
    if (pattern.filter === '#' || pattern.filter.startsWith(`${baseTopic}/`)) {
      problems.push({
        key: 'topic',
        message: `must not match ${baseTopic}/... topics (they are busbar's own)`,
      });
    }
  } catch (error) {
    return [{ key: 'topic', message: (error as Error).message }];
  }
  const templates: [string, string | undefined][] = [
    ['source', rule.source],
    ['measurement', rule.measurement],
    ...Object.entries(rule.tags).map(([tag, value]): [string, string] => [`tags.${tag}`, value]),
  ];
  for (const [key, text] of templates) {
    if (text === undefined) continue;
    try {
      compileTemplate(text, names, key);
    } catch (error) {
      problems.push({ key, message: (error as Error).message.replace(`${key}: `, '') });
    }
  }
  if (rule.format !== 'json' && (rule.fields || rule.timestampPath)) {
    problems.push({ key: 'format', message: '`fields` and `timestampPath` need format: json' });
  }
  return problems;
}

export type IngestConfig = z.output<typeof ingestSchema>;
export type IngestRule = IngestConfig['rules'][number];
