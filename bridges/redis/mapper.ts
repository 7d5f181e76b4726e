/**
 * One key and its value → one metric, as a selection says: measurement, source and tags from the
 * key's pattern captures (and lookup tables), fields picked by path and converted. Compiled once
 * per selection; a value that cannot become a metric says why, so the caller can dead-letter it.
 */
import { getPath, jsonTimestampToNs } from '../../core/payload-json.js';
import { compileTemplate, type Template } from '../../core/ingest/template.js';
import { coerceField, setEntry, validateMetric, type Field, type Metric } from '../../core/metric.js';
import { errorMessage } from '../../core/errors.js';
import type { RedisFieldConfig, RedisSelection } from './config.js';
import { compileKeyPattern, type KeyPattern } from './key-pattern.js';

/** What Redis returned for a key: a string (MGET), a hash (HGETALL), or null when it is gone. */
export type RawValue = string | Record<string, string> | null;

export type Mapped =
  | { kind: 'metric'; source: string; metric: Metric }
  /** The key vanished between SCAN and the read, or holds an empty hash. */
  | { kind: 'vanished' }
  /** The key does not match the selection's pattern. */
  | { kind: 'unmatched' }
  | { kind: 'bad'; reason: string };

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
      return { kind: 'bad', reason: errorMessage(error) };
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
      return {
        kind: 'bad',
        reason: problems.length > 0 ? problems.join('; ') : 'no field at the configured paths',
      };
    }

    const tagValues: Record<string, string> = selection.captureTags ? { ...captures } : {};
    for (const [tag, template] of tags) setEntry(tagValues, tag, template(captures));
    for (const [tag, lookup] of Object.entries(selection.lookups)) {
      const from = tagValues[lookup.from] ?? captures[lookup.from];
      const value = (from !== undefined ? lookup.values[from] : undefined) ?? lookup.default;
      if (value !== undefined) setEntry(tagValues, tag, value);
    }

    let timestamp = readAtNs;
    if (selection.timestampPath !== undefined) {
      try {
        timestamp = jsonTimestampToNs(getPath(document, selection.timestampPath));
      } catch (error) {
        return { kind: 'bad', reason: `${selection.timestampPath}: ${errorMessage(error)}` };
      }
    }
    const metric: Metric = { measurement: measurement(captures), tags: tagValues, fields, timestamp };
    const invalid = validateMetric(metric);
    if (invalid.length > 0) {
      return {
        kind: 'bad',
        reason: invalid.map((problem) => `${problem.path}: ${problem.message}`).join('; '),
      };
    }
    return { kind: 'metric', source: source(captures), metric };
  };
}

function parse(type: RedisSelection['type'], raw: string | Record<string, string>): unknown {
  if (typeof raw !== 'string') return raw;
  if (type === 'number') {
    if (!NUMERIC.test(raw)) throw new Error(`not a number: ${JSON.stringify(raw.slice(0, 40))}`);
    return { value: Number(raw) };
  }
  try {
    return JSON.parse(raw) as unknown;
  } catch (error) {
    throw new Error(`not JSON: ${errorMessage(error)}`, { cause: error });
  }
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
