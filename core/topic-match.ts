/**
 * MQTT topic filter matching (MQTT 3.1.1 §4.7), written for the remote bus's routing, which runs once
 * per incoming message and subscription: no split, no allocation.
 */

const SLASH = 47; // '/'
const PLUS = 43; // '+'
const HASH = 35; // '#'
const DOLLAR = 36; // '$'

/** True when `topic` (a concrete topic, no wildcards) matches `filter`. */
export function topicMatches(filter: string, topic: string): boolean {
  const first = filter.charCodeAt(0);
  // [MQTT-4.7.2-1] A filter starting with a wildcard must not match topics starting with `$` ($SYS/...).
  if ((first === HASH || first === PLUS) && topic.charCodeAt(0) === DOLLAR) return false;

  let f = 0;
  let t = 0;
  const fl = filter.length;
  const tl = topic.length;
  for (;;) {
    // Here f and t are both at the start of a level.
    const c = filter.charCodeAt(f);
    // [MQTT-4.7.1-2] `#` matches the parent level and any number of child levels; it is always last.
    if (c === HASH) return true;
    if (c === PLUS) {
      // [MQTT-4.7.1-3] `+` matches exactly one level, which may be empty.
      f += 1;
      while (t < tl && topic.charCodeAt(t) !== SLASH) t += 1;
    } else {
      while (f < fl && filter.charCodeAt(f) !== SLASH) {
        if (t >= tl || topic.charCodeAt(t) !== filter.charCodeAt(f)) return false;
        f += 1;
        t += 1;
      }
      if (t < tl && topic.charCodeAt(t) !== SLASH) return false;
    }
    const filterEnded = f >= fl;
    const topicEnded = t >= tl;
    if (filterEnded && topicEnded) return true;
    if (topicEnded) {
      // `sport/#` also matches `sport` [MQTT-4.7.1-2]: the rest of the filter must be exactly `/#`.
      return fl - f === 2 && filter.charCodeAt(f + 1) === HASH;
    }
    if (filterEnded) return false;
    // Both are at a `/`: step over it into the next level.
    f += 1;
    t += 1;
  }
}

/**
 * True when some topic could match both filters. The remote bus uses it to warn about subscriptions it
 * cannot tell apart on MQTT 3.1.1, where an incoming message does not say which subscription it is for.
 */
export function filtersOverlap(a: string, b: string): boolean {
  const left = a.split('/');
  const right = b.split('/');
  for (let i = 0; ; i += 1) {
    const x = left[i];
    const y = right[i];
    if (x === '#' || y === '#') return i > 0 || !dollarLevelVsWildcard(x, y);
    // Same length and every level compatible; one shorter (without a `#`, handled above) never matches.
    if (x === undefined || y === undefined) return x === y;
    if (i === 0 && dollarLevelVsWildcard(x, y)) return false;
    if (x !== '+' && y !== '+' && x !== y) return false;
  }
}

/** At the first level, a wildcard never meets a literal starting with `$` [MQTT-4.7.2-1]. */
function dollarLevelVsWildcard(x: string | undefined, y: string | undefined): boolean {
  const wildcard = (level: string | undefined): boolean => level === '+' || level === '#';
  const dollar = (level: string | undefined): boolean => level !== undefined && level.startsWith('$');
  return (wildcard(x) && dollar(y)) || (wildcard(y) && dollar(x));
}

/** Why `filter` is not a valid subscription filter, or undefined when it is one. */
export function filterProblem(filter: string): string | undefined {
  if (filter.length === 0) return 'a topic filter must not be empty [MQTT-4.7.3-1]';
  if (filter.includes('\u0000')) return 'a topic filter must not contain U+0000 [MQTT-4.7.3-2]';
  const levels = filter.split('/');
  for (let i = 0; i < levels.length; i += 1) {
    const level = levels[i]!;
    if (level.includes('#') && (level !== '#' || i !== levels.length - 1)) {
      return '`#` must be a whole level and the last one [MQTT-4.7.1-2]';
    }
    if (level.includes('+') && level !== '+') return '`+` must be a whole level [MQTT-4.7.1-3]';
  }
  return undefined;
}

/** Why `topic` cannot be published to, or undefined when it can. */
export function topicProblem(topic: string): string | undefined {
  if (topic.length === 0) return 'a topic must not be empty [MQTT-4.7.3-1]';
  if (topic.includes('\u0000')) return 'a topic must not contain U+0000 [MQTT-4.7.3-2]';
  if (topic.includes('+') || topic.includes('#'))
    return 'a topic to publish to has no wildcards [MQTT-3.3.2-2]';
  return undefined;
}
