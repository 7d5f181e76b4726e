/**
 * The one error type of the payload codecs (line protocol, JSON, plain values, field coercion).
 * `reason` is stable and safe as one MQTT topic level, so ingest can republish a refused payload on
 * `<base>/deadletter/<reason>` without mapping messages to categories.
 */
import { BusbarError } from '../runtime/errors.js';

export type CodecReason =
  /** Line protocol that does not parse, or a metric that cannot be written as line protocol. */
  | 'line-protocol'
  /** A JSON payload that is not JSON or not shaped like a metric. */
  | 'json'
  /** A plain value payload that is empty or not a value. */
  | 'value'
  /** A value that cannot become the requested field type ("abc" as a float, -1 as unsigned). */
  | 'type'
  /** A metric that breaks the model's rules (no field, empty tag value, field named `time`...). */
  | 'metric';

export class CodecError extends BusbarError {
  readonly reason: CodecReason;

  constructor(reason: CodecReason, message: string, options: { cause?: unknown } = {}) {
    // A payload that was refused once is refused again: retrying cannot help.
    super('BUSBAR_PAYLOAD_INVALID', message, { retryable: false, cause: options.cause });
    this.name = 'CodecError';
    this.reason = reason;
  }
}

const PLAIN_KEY = /^[A-Za-z_$][\w$-]*$/;

/**
 * A readable path into a payload: `[2].fields.temp`, `tags["rack 1"]`. Keys that are not plain
 * identifiers are quoted so a key holding a dot or a space cannot be misread as two levels.
 */
export function formatPath(segments: readonly (string | number)[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (PLAIN_KEY.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** A value quoted for an error message, cut so a huge payload cannot flood a log line. */
export function preview(value: unknown, max = 64): string {
  let text: string;
  if (typeof value === 'string') text = JSON.stringify(value);
  else if (typeof value === 'bigint') text = value.toString();
  else if (typeof value === 'number') text = Object.is(value, -0) ? '-0' : String(value);
  else if (value === undefined) text = 'undefined';
  else if (typeof value === 'object' && value !== null)
    text = Array.isArray(value) ? 'an array' : 'an object';
  else text = String(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
