/**
 * Name matchers of rules: an exact name, or a pattern where `*` matches any run of characters. Compiled
 * once per rule, since they run for every point on the bus.
 */

export type Matcher = (name: string) => boolean;

const ANY: Matcher = () => true;

export function compileMatcher(pattern: string): Matcher {
  if (pattern === '*') return ANY;
  if (!pattern.includes('*')) return (name) => name === pattern;
  const escaped = pattern
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  const re = new RegExp(`^${escaped}$`, 's');
  return (name) => re.test(name);
}

/** Every named tag must be present and match. */
export function compileTagMatchers(
  where: Readonly<Record<string, string>>,
): (tags: Record<string, string>) => boolean {
  const entries = Object.entries(where).map(([key, pattern]) => [key, compileMatcher(pattern)] as const);
  if (entries.length === 0) return () => true;
  return (tags) =>
    entries.every(([key, match]) => {
      const value = Object.hasOwn(tags, key) ? tags[key] : undefined;
      return value !== undefined && match(value);
    });
}
