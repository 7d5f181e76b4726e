/**
 * A series of the history store is one field of one measurement with one tag set, from one source.
 * Its name reads `source/measurement/field{tag=value,...}` (tags sorted, `{...}` only when there are
 * tags). Escaping makes the name unambiguous, so it is also the series' identity in the file:
 * `\`, `/` and `{` are escaped in the first three parts; `\`, `,`, `=` and `}` in tags.
 */
import { compareCodePoints } from '../../core/codecs/line-protocol.js';

const PART_SPECIAL = /[\\/{]/;
const PART_SPECIAL_G = /[\\/{]/g;
const TAG_SPECIAL = /[\\,=}]/;
const TAG_SPECIAL_G = /[\\,=}]/g;

/** One of source, measurement or field, escaped for a series name. */
export function escapePart(text: string): string {
  return PART_SPECIAL.test(text) ? text.replace(PART_SPECIAL_G, '\\$&') : text;
}

function escapeTag(text: string): string {
  return TAG_SPECIAL.test(text) ? text.replace(TAG_SPECIAL_G, '\\$&') : text;
}

/** `source/measurement/`: the part every field of one line shares. */
export function seriesPrefix(source: string, measurement: string): string {
  return `${escapePart(source)}/${escapePart(measurement)}/`;
}

/** `{k=v,...}` with keys in code point order, or '' without tags. */
export function tagSuffix(tags: Readonly<Record<string, string>>): string {
  const keys = Object.keys(tags);
  if (keys.length === 0) return '';
  if (keys.length > 1) keys.sort(compareCodePoints);
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    out += `${i === 0 ? '' : ','}${escapeTag(key)}=${escapeTag(tags[key] as string)}`;
  }
  return `${out}}`;
}

export function seriesName(
  source: string,
  measurement: string,
  field: string,
  tags: Readonly<Record<string, string>>,
): string {
  return seriesPrefix(source, measurement) + escapePart(field) + tagSuffix(tags);
}

/** The name without its `{tags}` part. */
export function seriesBase(name: string): string {
  // The tag part starts at the first unescaped `{`.
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c === 0x5c) i++;
    else if (c === 0x7b) return name.slice(0, i);
  }
  return name;
}

/**
 * A pattern as users type it: `*` any characters, `?` one character, everything else literal.
 * It selects a series when it matches the whole name, or the name without its tags, so
 * `web1/cpu/usage_user` selects that field whatever its tags, and `web1/*` every series of web1.
 */
export function compilePattern(pattern: string): (name: string) => boolean {
  let source = '';
  for (const char of pattern) {
    if (char === '*') source += '.*';
    else if (char === '?') source += '.';
    else source += char.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  const regex = new RegExp(`^${source}$`, 'su');
  return (name) => regex.test(name) || regex.test(seriesBase(name));
}
