/** Text helpers shared by the configuration reference and the config sample. */
import { stringify } from 'yaml';
import type { ConfigKey } from './keys.js';

/** A value as it is written in a YAML file, on one line: `10s`, `[tcp, ws]`, `{ type: memory }`. */
export function yamlInline(value: unknown): string {
  return stringify(value, { collectionStyle: 'flow', lineWidth: 0 }).trim();
}

// A continuation line that starts with one of these would be read as a list, heading, quote or table.
const MARKUP_START = /^([-+*#>|=]|\d+[.)])/;

/** Words, a `code span` with its spaces counting as one: a span broken over lines reads badly. */
const WORD = /(?:[^\s`]|`[^`]*`)+/g;

/**
 * Words wrapped to `width` columns, each line starting with `prefix`. A word that would start a
 * line as Markdown markup stays on the line before, which may then run a little longer.
 */
export function wrap(text: string, width: number, prefix: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.match(WORD) ?? []) {
    if (line === '') line = word;
    else if (prefix.length + line.length + 1 + word.length <= width || MARKUP_START.test(word))
      line = `${line} ${word}`;
    else {
      lines.push(prefix + line);
      line = word;
    }
  }
  if (line !== '') lines.push(prefix + line);
  return lines;
}

/**
 * A key's default: `10s`, or per variant of its parent: `1883` (type: tcp), `8883` (type: tls).
 * `code` marks a value up (backticks in Markdown); undefined when the key has no default.
 */
export function defaultText(key: ConfigKey, code: (text: string) => string): string | undefined {
  if (key.defaults.length === 0) return undefined;
  const byValue = new Map<string, string[]>();
  for (const { variant, value } of key.defaults) {
    const text = inlineValue(value, code);
    byValue.set(text, [...(byValue.get(text) ?? []), ...(variant === undefined ? [] : [variant])]);
  }
  return [...byValue]
    .map(([value, variants]) =>
      variants.length === 0 ? value : `${value} (${key.discriminator}: ${variants.join(', ')})`,
    )
    .join(', ');
}

/** Longer than this, a list or map is marked up entry by entry, so that it can wrap between them. */
const LONG_VALUE = 80;

function inlineValue(value: unknown, code: (text: string) => string): string {
  const text = yamlInline(value);
  if (text.length <= LONG_VALUE || value === null || typeof value !== 'object') return code(text);
  const entries = Array.isArray(value)
    ? value.map((item) => yamlInline(item))
    : Object.entries(value).map(([name, item]) => yamlInline({ [name]: item }).replace(/^\{ | \}$/g, ''));
  return `${Array.isArray(value) ? 'the list' : 'the map'} ${entries.map(code).join(', ')}`;
}
