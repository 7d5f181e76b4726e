/**
 * MQTT topic filters as the ACL needs them: does a filter match a topic, does one filter cover every
 * topic another can match, and can two filters match a common topic. Wildcards follow MQTT 3.1.1
 * §4.7: `+` is one level, `#` the rest (including the parent level), and a filter starting with a
 * wildcard never matches a topic starting with `$` [MQTT-4.7.2-1].
 */

export const enum LevelKind {
  Literal = 0,
  One = 1,
  Rest = 2,
}

export interface FilterLevel {
  readonly kind: LevelKind;
  /** The literal text (empty for wildcards). */
  readonly text: string;
}

export type CompiledFilter = readonly FilterLevel[];

const ONE: FilterLevel = { kind: LevelKind.One, text: '' };
const REST: FilterLevel = { kind: LevelKind.Rest, text: '' };

export function literal(text: string): FilterLevel {
  return { kind: LevelKind.Literal, text };
}

/** Splits a filter into levels; `+` and `#` are wildcards only when they are a whole level. */
export function compileFilter(filter: string): CompiledFilter {
  return filter.split('/').map((level) => (level === '+' ? ONE : level === '#' ? REST : literal(level)));
}

const DOLLAR = 36;
const SLASH = '/';

/**
 * True when `topic` (a PUBLISH topic, no wildcards) matches `filter`. Runs on the publish path when
 * ACL rules exist, so it walks the topic in place instead of splitting it.
 */
export function matchesTopic(filter: CompiledFilter, topic: string): boolean {
  const length = topic.length;
  let position = 0;
  for (let i = 0; i < filter.length; i++) {
    const level = filter[i]!;
    if (level.kind === LevelKind.Rest) return i > 0 || topic.charCodeAt(0) !== DOLLAR;
    if (position > length) return false;
    let end = topic.indexOf(SLASH, position);
    if (end === -1) end = length;
    if (level.kind === LevelKind.One) {
      if (i === 0 && topic.charCodeAt(0) === DOLLAR) return false;
    } else if (end - position !== level.text.length || !topic.startsWith(level.text, position)) {
      return false;
    }
    position = end + 1;
  }
  return position > length;
}

/** A first level a wildcard may stand for: anything but a `$` literal. */
function wildcardMayMatchFirst(level: FilterLevel): boolean {
  return level.kind !== LevelKind.Literal || level.text.charCodeAt(0) !== DOLLAR;
}

/** True when every topic `inner` can match is also matched by `outer` (`a/#` covers `a/+/b`). */
export function covers(outer: CompiledFilter, inner: CompiledFilter): boolean {
  for (let i = 0; ; i++) {
    const o = outer[i];
    const n = inner[i];
    if (o === undefined) return n === undefined;
    if (o.kind === LevelKind.Rest) return i > 0 || n === undefined || wildcardMayMatchFirst(n);
    if (n === undefined || n.kind === LevelKind.Rest) return false;
    if (o.kind === LevelKind.One) {
      if (i === 0 && !wildcardMayMatchFirst(n)) return false;
    } else if (n.kind !== LevelKind.Literal || n.text !== o.text) {
      return false;
    }
  }
}

/** True when some topic matches both filters (a deny rule `a/secret/#` overlaps a subscription `a/#`). */
export function overlaps(a: CompiledFilter, b: CompiledFilter): boolean {
  for (let i = 0; ; i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined || y === undefined) {
      const other = x ?? y;
      return other === undefined || other.kind === LevelKind.Rest;
    }
    if (x.kind === LevelKind.Literal && y.kind === LevelKind.Literal) {
      if (x.text !== y.text) return false;
    } else if (i === 0 && (!wildcardMayMatchFirst(x) || !wildcardMayMatchFirst(y))) {
      return false;
    }
    if (x.kind === LevelKind.Rest || y.kind === LevelKind.Rest) return true;
  }
}

/** `matchesTopic` for a filter given as text, without compiling it (rare paths: `$` topics). */
export function filterTextMatchesTopic(filter: string, topic: string): boolean {
  let f = 0;
  let t = 0;
  for (let level = 0; ; level++) {
    let fEnd = filter.indexOf(SLASH, f);
    if (fEnd === -1) fEnd = filter.length;
    const isRest = fEnd - f === 1 && filter.charCodeAt(f) === 35;
    const isOne = fEnd - f === 1 && filter.charCodeAt(f) === 43;
    if (isRest) return level > 0 || topic.charCodeAt(0) !== DOLLAR;
    if (t > topic.length) return false;
    let tEnd = topic.indexOf(SLASH, t);
    if (tEnd === -1) tEnd = topic.length;
    if (isOne) {
      if (level === 0 && topic.charCodeAt(0) === DOLLAR) return false;
    } else if (fEnd - f !== tEnd - t || !topic.startsWith(filter.slice(f, fEnd), t)) {
      return false;
    }
    f = fEnd + 1;
    t = tEnd + 1;
    if (f > filter.length) return t > topic.length;
  }
}
