/**
 * A plain value payload, what most devices publish on a topic of their own: `21.5`, ` 42 `, `true`,
 * `ON`/`OFF`, `"text"` (a JSON string). The ingest rule names the field type; this turns the payload
 * into that type or says, with reason `value`, why it cannot.
 */
import { CodecError, preview } from './codec-errors.js';
import { coerceField, type Field, type FieldType } from './metric.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Switch states as devices send them (zigbee2mqtt, Tasmota: `ON`/`OFF`), read as 1/0 for numeric types. */
const SWITCH_WORDS: ReadonlyMap<string, boolean> = new Map([
  ['true', true],
  ['false', false],
  ['on', true],
  ['off', false],
  ['yes', true],
  ['no', false],
]);

function decode(payload: Uint8Array): string {
  try {
    return utf8.decode(payload);
  } catch (error) {
    throw new CodecError('value', 'payload is not valid UTF-8', { cause: error });
  }
}

/** `"text"` as JSON reads it, so `"a \"b\""` is `a "b"`. */
function unquote(text: string): string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CodecError('value', `payload ${preview(text)} is not a valid JSON string`, { cause: error });
  }
  if (typeof value !== 'string')
    throw new CodecError('value', `payload ${preview(text)} is not a valid JSON string`);
  return value;
}

/**
 * One field of `type` from a payload. Surrounding white space is ignored (a quoted JSON string keeps
 * its inner spaces). For numeric types true/false, on/off and yes/no read as 1/0.
 * Throws a `CodecError` with reason `value` on an empty payload and on anything that is not a `type`.
 */
export function parseValuePayload(payload: string | Uint8Array, type: FieldType = 'float'): Field {
  const raw = typeof payload === 'string' ? payload : decode(payload);
  let text = raw.trim();
  if (text === '') throw new CodecError('value', 'empty payload');
  if (text.startsWith('"')) text = unquote(text);
  if (type === 'string') return { type: 'string', value: text };
  const word = SWITCH_WORDS.get(text.trim().toLowerCase());
  try {
    return coerceField(word ?? text, type);
  } catch (error) {
    if (!(error instanceof CodecError)) throw error;
    // The payload decoder is what failed, whatever the cause; the cause keeps the detail.
    throw new CodecError('value', error.message, { cause: error });
  }
}
