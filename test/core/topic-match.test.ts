import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { filterProblem, filtersOverlap, topicMatches, topicProblem } from '../../core/topic-match.js';

/** The spec's rules written the obvious way (split into levels), to check the fast matcher against. */
function reference(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  if ((f[0] === '#' || f[0] === '+') && topic.startsWith('$')) return false;
  for (let i = 0; i < f.length; i += 1) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

describe('topicMatches', () => {
  it.each([
    // MQTT 3.1.1 §4.7.1.2 examples
    ['sport/tennis/player1/#', 'sport/tennis/player1', true],
    ['sport/tennis/player1/#', 'sport/tennis/player1/ranking', true],
    ['sport/tennis/player1/#', 'sport/tennis/player1/score/wimbledon', true],
    ['sport/#', 'sport', true],
    ['#', 'sport/tennis', true],
    ['sport/tennis/#', 'sport/tennis', true],
    ['sport/tennis/#', 'sport/tennisX', false],
    // §4.7.1.3 examples
    ['sport/tennis/+', 'sport/tennis/player1', true],
    ['sport/tennis/+', 'sport/tennis/player1/ranking', false],
    ['sport/+', 'sport', false],
    ['sport/+', 'sport/', true],
    ['+/+', '/finance', true],
    ['/+', '/finance', true],
    ['+', '/finance', false],
    ['+/tennis/#', 'sport/tennis/player1', true],
    // Empty levels and exact matches
    ['a//b', 'a//b', true],
    ['a/+/b', 'a//b', true],
    ['a/b', 'a/b/', false],
    ['a/b/', 'a/b', false],
    ['a/b', 'a/bc', false],
    ['a/bc', 'a/b', false],
    ['a/b/c', 'a/b', false],
    // [MQTT-4.7.2-1] wildcards at the first level never match $ topics; explicit $ filters do
    ['#', '$SYS/broker/uptime', false],
    ['+/broker/uptime', '$SYS/broker/uptime', false],
    ['$SYS/#', '$SYS/broker/uptime', true],
    ['$SYS/+/uptime', '$SYS/broker/uptime', true],
    ['a/#', 'a/$b', true],
  ])('%s against %s → %s', (filter, topic, expected) => {
    expect(topicMatches(filter, topic)).toBe(expected);
    expect(reference(filter, topic)).toBe(expected);
  });

  it('agrees with the level-by-level reference on random filters and topics', () => {
    const level = fc.constantFrom('', 'a', 'b', 'ab', '$x');
    const topic = fc.array(level, { minLength: 1, maxLength: 5 }).map((levels) => levels.join('/'));
    const filter = fc
      .tuple(
        fc.array(fc.constantFrom('', 'a', 'b', 'ab', '+', '$x'), { minLength: 1, maxLength: 5 }),
        fc.boolean(),
      )
      .map(([levels, hash]) => (hash ? [...levels, '#'] : levels).join('/'));
    fc.assert(
      fc.property(filter, topic, (f, t) => {
        expect(topicMatches(f, t)).toBe(reference(f, t));
      }),
      { numRuns: 5_000 },
    );
  });
});

describe('filtersOverlap', () => {
  it.each([
    ['a/#', 'a/b', true],
    ['a/#', 'a', true],
    ['a/+', 'a/b', true],
    ['a/+', 'b/+', false],
    ['a/+/c', 'a/b/+', true],
    ['a/+', 'a/b/c', false],
    ['#', '$SYS/x', false],
    ['+/x', '$SYS/x', false],
    ['$SYS/#', '$SYS/x', true],
    ['#', '#', true],
    ['a/b', 'a/b', true],
    ['a/b', 'a/c', false],
  ])('%s and %s → %s', (a, b, expected) => {
    expect(filtersOverlap(a, b)).toBe(expected);
    expect(filtersOverlap(b, a)).toBe(expected);
  });

  it('is true whenever one topic matches both filters', () => {
    const level = fc.constantFrom('a', 'b', '$x', '');
    const generalise = (levels: string[], how: number[]): string => {
      // Each level kept, replaced by `+`, or the rest replaced by `#`.
      const out: string[] = [];
      for (let i = 0; i < levels.length; i += 1) {
        const choice = how[i] ?? 0;
        if (choice === 2) return [...out, '#'].join('/');
        out.push(choice === 1 ? '+' : levels[i]!);
      }
      return out.join('/');
    };
    const how = fc.array(fc.integer({ min: 0, max: 2 }), { maxLength: 5 });
    fc.assert(
      fc.property(fc.array(level, { minLength: 1, maxLength: 5 }), how, how, (levels, h1, h2) => {
        const topic = levels.join('/');
        const a = generalise(levels, h1);
        const b = generalise(levels, h2);
        if (topicMatches(a, topic) && topicMatches(b, topic)) expect(filtersOverlap(a, b)).toBe(true);
      }),
      { numRuns: 3_000 },
    );
  });
});

describe('filterProblem and topicProblem', () => {
  it.each(['a/b', '#', '+', 'a/+/b', 'a/#', '$SYS/#', '/', 'a//b'])('accepts the filter %s', (filter) => {
    expect(filterProblem(filter)).toBeUndefined();
  });

  it.each(['', 'a/#/b', 'a#', 'a/b#', 'a+/b', 'a/+b', 'a\u0000b'])('refuses the filter %j', (filter) => {
    expect(filterProblem(filter)).toMatch(/MQTT-4\.7/);
  });

  it.each(['', 'a/+', 'a/#', 'a\u0000'])('refuses to publish to %j', (topic) => {
    expect(topicProblem(topic)).toBeDefined();
  });

  it('accepts an ordinary topic', () => {
    expect(topicProblem('busbar/metrics/host1/cpu')).toBeUndefined();
  });
});
