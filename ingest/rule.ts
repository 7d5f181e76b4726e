import type { IngestRule } from './config.js';
import { CodecError } from '../core/codecs/codec-errors.js';
import { getPath } from '../core/codecs/payload-json.js';
import { timestampToNs, type TimestampUnit } from './timestamp.js';
import { parseValuePayload } from '../core/codecs/payload-value.js';
import { parseLineProtocol } from '../core/codecs/line-protocol.js';
import { coerceField, setEntry, type Field, type Metric } from '../core/codecs/metric.js';
import { compileTemplate, type Template } from './template.js';
import { compileTopicPattern, type TopicPattern } from './topic-pattern.js';
import type { Decoded } from './decoded.js';
import { lineRejection } from './canonical.js';

/** An ingest rule ready for the hot path: pattern, templates and field selectors compiled once. */
export interface CompiledRule {
  readonly index: number;
  readonly filter: string;
  /** The topic's captured segments, or undefined when the topic does not match this rule. */
  match(topic: string): Captures | undefined;
  /**
   * undefined when the topic does not match this rule. `captures`, when the caller has matched the
   * topic already (`match`), saves matching it again on the hot path.
   */
  decode(topic: string, payload: Buffer, receivedNs: bigint, captures?: Captures): Decoded | undefined;
}

type Captures = Record<string, string>;

interface FieldSelector {
  path: string;
  name: string;
  type: IngestRule['type'] | undefined;
}

export function compileRule(rule: IngestRule, index: number): CompiledRule {
  const where = `ingest.rules[${index}]`;
  const pattern: TopicPattern = compileTopicPattern(rule.topic);
  const names = new Set(pattern.names);
  // Patterns and templates were checked when the config was validated (ingest/config.ts).
  const source = compileTemplate(rule.source, names, `${where}.source`);
  const measurement: Template = rule.measurement
    ? compileTemplate(rule.measurement, names, `${where}.measurement`)
    : (captures) => captures['#last'] ?? '';
  const tags = Object.entries(rule.tags).map(
    ([key, value]) => [key, compileTemplate(value, names, `${where}.tags.${key}`)] as const,
  );
  const selectors: FieldSelector[] | undefined = rule.fields?.map((field) => ({
    path: field.path,
    name: field.name ?? field.path.split('.').at(-1)!,
    type: field.type,
  }));

  function decodePayload(
    text: string,
    receivedNs: bigint,
  ): { fields: Record<string, Field>; timestamp: bigint | undefined } {
    if (rule.format === 'value') {
      return { fields: { [rule.field]: parseValuePayload(text, rule.type) }, timestamp: receivedNs };
    }
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch (error) {
      throw new CodecError('json', `not JSON: ${(error as Error).message}`);
    }
    const fields: Record<string, Field> = {};
    if (selectors) {
      for (const selector of selectors) {
        const value = getPath(document, selector.path);
        if (value === undefined) continue; // a device may omit a reading; absent is not zero
        try {
          setEntry(fields, selector.name, coerceField(value, selector.type));
        } catch (error) {
          throw new CodecError('type', `${selector.path}: ${(error as Error).message}`);
        }
      }
    } else if (document !== null && typeof document === 'object' && !Array.isArray(document)) {
      for (const [key, value] of Object.entries(document)) {
        if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string') {
          setEntry(fields, key, coerceField(value)); // a payload key may be __proto__
        }
      }
    } else {
      // A bare JSON number or boolean is a plain value.
      fields[rule.field] = coerceField(document, rule.type);
    }
    if (Object.keys(fields).length === 0) throw new CodecError('json', 'no field selected from the payload');
    const timestamp = rule.timestampPath
      ? timestampAt(document, rule.timestampPath, rule.timestampUnit)
      : receivedNs;
    return { fields, timestamp };
  }

  return {
    index,
    filter: pattern.filter,
    match: (topic) => pattern.match(topic),
    decode(topic, payload, receivedNs, matched) {
      const captures = matched ?? pattern.match(topic);
      if (!captures) return undefined;
      captures['#last'] = topic.slice(topic.lastIndexOf('/') + 1);
      const sourceName = source(captures);
      const text = payload.toString('utf8');
      try {
        if (rule.format === 'line') {
          const { metrics, errors } = parseLineProtocol(text, { defaultTimestamp: receivedNs });
          const extraTags = renderTags(captures);
          for (const metric of metrics) Object.assign(metric.tags, extraTags);
          return { source: sourceName, metrics, rejections: errors.map(lineRejection) };
        }
        const { fields, timestamp } = decodePayload(text, receivedNs);
        const metric: Metric = {
          measurement: measurement(captures),
          tags: renderTags(captures),
          fields,
          timestamp: timestamp ?? receivedNs,
        };
        return {
          source: sourceName,
          metrics: [metric],
          rejections: [],
          ...(timestamp === undefined && { timestampFallback: true }),
        };
      } catch (error) {
        const rejection =
          error instanceof CodecError
            ? { reason: error.reason, detail: error.message }
            : { reason: rule.format, detail: (error as Error).message };
        return { source: sourceName, metrics: [], rejections: [rejection] };
      }
    },
  };

  function renderTags(captures: Record<string, string>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [key, template] of tags) {
      const value = template(captures);
      if (value !== '') out[key] = value; // an empty tag value is not allowed in line protocol
    }
    return out;
  }
}

/** The timestamp at `path`; undefined when it is missing or null (the caller uses the receive time). */
function timestampAt(document: unknown, path: string, unit: TimestampUnit): bigint | undefined {
  const value = getPath(document, path);
  if (value === undefined || value === null) return undefined;
  try {
    return timestampToNs(value, unit);
  } catch (error) {
    throw new CodecError('json', `${path}: ${(error as Error).message}`);
  }
}
