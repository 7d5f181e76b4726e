/**
 * One key and its value → one metric, as a selection says: measurement, source and tags from the
 * key's pattern captures (and lookup tables), fields picked by path and converted. Compiled once
 * per selection; a value that cannot become a metric says why, so the caller can dead-letter it.
 */
import { getPath } from '../../core/codecs/payload-json.js';
import { timestampToNs } from '../../ingest/timestamp.js';
import { compileTemplate, type Template } from '../../ingest/template.js';
import { coerceField, setEntry, validateMetric, type Field, type Metric } from '../../core/codecs/metric.js';
import { errorMessage } from '../../core/runtime/errors.js';
import type { RedisFieldConfig, RedisSelection } from './config.js';
import { compileKeyPattern, type KeyPattern } from './key-pattern.js';
import { MAX_JSON_DEPTH, jsonDepth, type RefusalCode } from './refusals.js';

/** What Redis returned for a key: a string (MGET), a hash (HGETALL), or null when it is gone. */
export type RawValue = string | Record<string, string> | null;

export type Mapped =
  /** `timestampFallback`: no timestamp at `timestampPath`, so the read time. */
  | { kind: 'metric'; source: string; metric: Metric; timestampFallback: boolean }
  /** The key vanished between SCAN and the read, or holds an empty hash. */
  | { kind: 'vanished' }
  /** The key does not match the selection's pattern. */
  | { kind: 'unmatched' }
  | { kind: 'bad'; code: RefusalCode; reason: string };

class Refusal extends Error {
  constructor(
    readonly code: RefusalCode,
    message: string,
  ) {
    super(message);
  }
}

export type KeyMapper = (key: string, raw: RawValue, readAtNs: bigint) => Mapped;

const NUMERIC = /^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$/;

export function compileMapper(selection: RedisSelection): KeyMapper {
  const pattern: KeyPattern = compileKeyPattern(selection.pattern ?? '*');
  const known = new Set(pattern.names);
  const source = compileTemplate(selection.source, known, 'source');
  const measurement = compileTemplate(selection.measurement, known, 'measurement');
  const tags: [string, Template][] = Object.entries(selection.tags).map(([tag, text]) => [
    tag,
    compileTemplate(text, known, `tags.${tag}`),
  ]);

  return (key, raw, readAtNs) => {
    const captures = pattern.match(key);
    if (captures === undefined) return { kind: 'unmatched' };
    if (raw === null || (typeof raw === 'object' && Object.keys(raw).length === 0))
      return { kind: 'vanished' };

    let document: unknown;
    try {
      document = parse(selection.type, raw);
    } catch (error) {
      if (error instanceof Refusal) return { kind: 'bad', code: error.code, reason: error.message };
      throw error;
    }
    const fields: Record<string, Field> = {};
    const problems: string[] = [];
    for (const spec of selection.fields ?? defaultFields(document)) {
      const value = getPath(document, spec.path);
      if (value === undefined || value === null) continue;
      try {
        setEntry(fields, spec.name ?? spec.path.replace(/\./g, '_'), convert(value, spec));
      } catch (error) {
        problems.push(`${spec.path}: ${errorMessage(error)}`);
      }
    }
    if (Object.keys(fields).length === 0) {
      if (problems.length > 0) return { kind: 'bad', code: 'bad-field', reason: problems.join('; ') };
      return { kind: 'bad', ...whyNoField(document) };
    }

    const tagValues: Record<string, string> = selection.captureTags ? { ...captures } : {};
    for (const [tag, template] of tags) setEntry(tagValues, tag, template(captures));
    for (const [tag, path] of Object.entries(selection.tagPaths)) {
      const value = getPath(document, path);
      // A missing tag is no tag: the key still has its fields, as a device that omits one.
      if (typeof value === 'string' ? value !== '' : typeof value === 'number' || typeof value === 'boolean')
        setEntry(tagValues, tag, String(value));
    }
    for (const [tag, lookup] of Object.entries(selection.lookups)) {
      const from = tagValues[lookup.from] ?? captures[lookup.from];
      const value = (from !== undefined ? lookup.values[from] : undefined) ?? lookup.default;
      if (value !== undefined) setEntry(tagValues, tag, value);
    }

    let timestamp = readAtNs;
    let timestampFallback = false;
    if (selection.timestampPath !== undefined) {
      const value = getPath(document, selection.timestampPath);
      if (value === undefined || value === null) timestampFallback = true;
      else {
        try {
          timestamp = timestampToNs(value, selection.timestampUnit);
        } catch (error) {
          return {
            kind: 'bad',
            code: 'bad-timestamp',
            reason: `${selection.timestampPath}: ${errorMessage(error)}`,
          };
        }
      }
    }
    const metric: Metric = { measurement: measurement(captures), tags: tagValues, fields, timestamp };
    const invalid = validateMetric(metric);
    if (invalid.length > 0) {
      return {
        kind: 'bad',
        code: 'invalid-metric',
        reason: invalid.map((problem) => `${problem.path}: ${problem.message}`).join('; '),
      };
    }
    return { kind: 'metric', source: source(captures), metric, timestampFallback };
  };
}

function parse(type: RedisSelection['type'], raw: string | Record<string, string>): unknown {
  if (typeof raw !== 'string') return raw;
  if (type === 'number') {
    if (!NUMERIC.test(raw))
      throw new Refusal('not-a-number', `not a number: ${JSON.stringify(raw.slice(0, 40))}`);
    return { value: Number(raw) };
  }
  const depth = jsonDepth(raw);
  if (depth > MAX_JSON_DEPTH)
    throw new Refusal('too-deep', `JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
  try {
    return JSON.parse(raw) as unknown;
  } catch (error) {
    throw new Refusal('not-json', `not JSON: ${errorMessage(error)}`);
  }
}

/** Why a document gave no field: its shape, when it is not an object, says more than "nothing there". */
function whyNoField(document: unknown): { code: RefusalCode; reason: string } {
  if (document === null) return { code: 'null', reason: 'the value is JSON null' };
  if (Array.isArray(document))
    return { code: 'top-level-array', reason: 'the value is a JSON array, not an object' };
  if (typeof document !== 'object')
    return { code: 'not-an-object', reason: `the value is a JSON ${typeof document}, not an object` };
  return { code: 'no-field', reason: 'no field at the configured paths' };
}

/** Without `fields`: every top-level number (or numeric string, as hash fields are) as a float. */
function defaultFields(document: unknown): RedisFieldConfig[] {
  if (document === null || typeof document !== 'object' || Array.isArray(document)) return [];
  return Object.entries(document)
    .filter(
      ([, value]) =>
        (typeof value === 'number' && Number.isFinite(value)) ||
        (typeof value === 'string' && NUMERIC.test(value)),
    )
    .map(([path]) => ({ path, scale: 1, offset: 0, type: 'float' as const }));
}

function convert(value: unknown, spec: RedisFieldConfig): Field {
  if (spec.type === 'boolean' || spec.type === 'string') return coerceField(value, spec.type);
  const number = coerceField(typeof value === 'string' ? value.trim() : value, 'float');
  if (number.type !== 'float') throw new Error('not a number');
  // toPrecision(12) drops binary noise such as 0.1 * 3 = 0.30000000000000004.
  const converted = Number((number.value * spec.scale + spec.offset).toPrecision(12));
  if (spec.type === 'integer') return { type: 'integer', value: BigInt(Math.round(converted)) };
  return { type: 'float', value: converted };
}
