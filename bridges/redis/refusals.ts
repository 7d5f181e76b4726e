/**
 * Why a key's value did not become a metric, as a stable code: counted per selection in
 * `<base>/stats/<name>` (`refused.<code>`) and carried by its dead letter next to the detail.
 */
export const REFUSAL_CODES = [
  /** A hash where a string is expected, or the reverse (Redis: WRONGTYPE). */
  'wrong-type',
  /** Bytes that are not UTF-8. */
  'invalid-utf8',
  'not-json',
  /** A `number` selection's value is not a number. */
  'not-a-number',
  /** JSON `null`. */
  'null',
  /** A JSON array at the top, where an object is expected. */
  'top-level-array',
  /** A JSON string, number or boolean at the top, where an object is expected. */
  'not-an-object',
  /** JSON nested deeper than MAX_JSON_DEPTH. */
  'too-deep',
  /** None of the selection's field paths holds a value. */
  'no-field',
  /** A field's value cannot be converted (`"warm"` as a float). */
  'bad-field',
  /** The value at `timestampPath` is not a timestamp. */
  'bad-timestamp',
  /** The metric breaks the model's rules (an empty tag value, a field named `time`). */
  'invalid-metric',
] as const;

export type RefusalCode = (typeof REFUSAL_CODES)[number];

/**
 * Deeper JSON is refused before it is parsed: no configured path needs it, and a value nested
 * thousands deep is a broken writer, not a reading.
 */
export const MAX_JSON_DEPTH = 64;

/** The deepest nesting of `text`'s arrays and objects, counting until `limit` is passed. */
export function jsonDepth(text: string, limit = MAX_JSON_DEPTH): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > deepest && (deepest = depth) > limit) return deepest;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return deepest;
}
