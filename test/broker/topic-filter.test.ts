import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createAcl, SubscribeAccess } from '../../broker/acl.js';
import {
  compileFilter,
  covers,
  filterTextMatchesTopic,
  matchesTopic,
  overlaps,
} from '../../broker/topic-filter.js';
import { aclRuleSchema } from '../../broker/config.js';

const matches = (filter: string, topic: string): boolean => matchesTopic(compileFilter(filter), topic);
const coversText = (outer: string, inner: string): boolean =>
  covers(compileFilter(outer), compileFilter(inner));
const overlapsText = (a: string, b: string): boolean => overlaps(compileFilter(a), compileFilter(b));

describe('topic filters', () => {
  it('match topics as MQTT 3.1.1 §4.7 says', () => {
    expect(matches('sensors/+/temp', 'sensors/kitchen/temp')).toBe(true);
    expect(matches('sensors/+/temp', 'sensors/kitchen/humidity')).toBe(false);
    expect(matches('sensors/#', 'sensors')).toBe(true); // # includes the parent level
    expect(matches('sensors/#', 'sensors/a/b/c')).toBe(true);
    expect(matches('sensors/+', 'sensors/')).toBe(true); // + matches an empty level
    expect(matches('sensors/+', 'sensors')).toBe(false);
    expect(matches('sensors', 'sensors/a')).toBe(false);
    expect(matches('sensor', 'sensors')).toBe(false);
    expect(matches('#', '$SYS/broker/uptime')).toBe(false); // [MQTT-4.7.2-1]
    expect(matches('+/broker/uptime', '$SYS/broker/uptime')).toBe(false);
    expect(matches('$SYS/#', '$SYS/broker/uptime')).toBe(true);
  });

  it('cover a subscription only when every topic it matches is matched', () => {
    expect(coversText('sensors/#', 'sensors/+/temp')).toBe(true);
    expect(coversText('sensors/+/temp', 'sensors/#')).toBe(false);
    expect(coversText('sensors/+/temp', 'sensors/+/temp')).toBe(true);
    expect(coversText('sensors/+/temp', 'sensors/kitchen/temp')).toBe(true);
    expect(coversText('sensors/kitchen/temp', 'sensors/+/temp')).toBe(false);
    expect(coversText('sensors/#', 'sensors')).toBe(true);
    expect(coversText('sensors/+', 'sensors/+/x')).toBe(false);
    expect(coversText('#', '$SYS/#')).toBe(false);
    expect(coversText('#', '+/x')).toBe(true);
  });

  it('overlap when some topic matches both', () => {
    expect(overlapsText('sensors/secret/#', 'sensors/#')).toBe(true);
    expect(overlapsText('sensors/secret/#', 'sensors/+/temp')).toBe(true);
    expect(overlapsText('sensors/secret/#', 'sensors/public/#')).toBe(false);
    expect(overlapsText('a/#', 'a')).toBe(true);
    expect(overlapsText('a/+', 'a')).toBe(false);
    expect(overlapsText('#', '$SYS/#')).toBe(false);
  });

  // Small alphabets so that random filters and topics actually meet.
  const level = fc.constantFrom('a', 'b', '', '$x');
  const topic = fc.array(level, { minLength: 1, maxLength: 4 }).map((levels) => levels.join('/'));
  const filter = fc
    .tuple(fc.array(fc.constantFrom('a', 'b', '', '$x', '+'), { minLength: 1, maxLength: 4 }), fc.boolean())
    .map(([levels, rest]) => [...levels, ...(rest ? ['#'] : [])].join('/'));
  const topics = fc.array(topic, { minLength: 1, maxLength: 30 });

  it('covers(R, S) implies R matches every topic S matches', () => {
    fc.assert(
      fc.property(filter, filter, topics, (r, s, ts) => {
        if (!coversText(r, s)) return true;
        return ts.every((t) => !matches(s, t) || matches(r, t));
      }),
      { numRuns: 5_000 },
    );
  });

  it('a topic matched by both filters implies they overlap', () => {
    fc.assert(
      fc.property(
        filter,
        filter,
        topic,
        (a, b, t) => !(matches(a, t) && matches(b, t)) || overlapsText(a, b),
      ),
      { numRuns: 5_000 },
    );
  });

  it('a subscription granted whole receives every topic it matches, one refused whole none', () => {
    const rule = fc.record({ topic: filter.filter((f) => f !== ''), allow: fc.boolean() });
    fc.assert(
      fc.property(fc.array(rule, { maxLength: 4 }), filter, topics, (rules, s, ts) => {
        if (rules.length === 0) return true;
        const client = createAcl(rules.map((r) => aclRuleSchema.parse(r))).forClient('u', 'c');
        const access = client.subscribeAccess(s);
        const receivable = ts.filter((t) => matches(s, t)).map((t) => client.canReceive(t));
        if (access === SubscribeAccess.Granted) return receivable.every(Boolean);
        if (access === SubscribeAccess.Refused) return !receivable.some(Boolean);
        return true;
      }),
      { numRuns: 5_000 },
    );
  });

  it('matching a filter given as text agrees with the compiled one', () => {
    fc.assert(
      fc.property(filter, topic, (f, t) => filterTextMatchesTopic(f, t) === matches(f, t)),
      { numRuns: 5_000 },
    );
  });
});

describe('ACL rules for one client', () => {
  const acl = (rules: unknown[]) => createAcl(rules.map((rule) => aclRuleSchema.parse(rule)))!;

  it('substitute %u and %c as literal text, even when they contain wildcards or slashes', () => {
    const rules = acl([{ topic: 'users/%u/#' }, { topic: 'clients/%c' }]);
    expect(rules.forClient('alice', 'c1').canPublish('users/alice/x')).toBe(true);
    expect(rules.forClient('alice', 'c1').canPublish('users/bob/x')).toBe(false);
    expect(rules.forClient('alice', 'c1').canPublish('clients/c1')).toBe(true);
    const plus = rules.forClient('+', 'c2');
    expect(plus.canPublish('users/bob/x')).toBe(false);
    expect(plus.subscribeAccess('users/+/#')).toBe(SubscribeAccess.Partial);
    expect(plus.canReceive('users/bob/x')).toBe(false);
    expect(plus.canReceive('users/+/x')).toBe(true);
    const slash = rules.forClient('a/b', 'c3');
    expect(slash.canPublish('users/a/b/x')).toBe(true);
    expect(slash.canPublish('users/a/x')).toBe(false);
  });

  it('skip %u rules for anonymous clients and pick rules by user', () => {
    const rules = acl([
      { topic: 'users/%u/#' },
      { user: '$anonymous', topic: 'public/#', access: 'subscribe' },
      { user: 'bob', topic: 'bob-only' },
    ]);
    const anonymous = rules.forClient(undefined, 'anon');
    expect(anonymous.canPublish('users//x')).toBe(false);
    expect(anonymous.subscribeAccess('public/#')).toBe(SubscribeAccess.Granted);
    expect(anonymous.canPublish('public/x')).toBe(false);
    expect(rules.forClient('bob', 'b').canPublish('bob-only')).toBe(true);
    expect(rules.forClient('alice', 'a').canPublish('bob-only')).toBe(false);
    expect(rules.forClient('alice', 'a').subscribeAccess('public/#')).toBe(SubscribeAccess.Refused);
  });

  it('grant a subscription a deny rule cuts, and check its messages by topic (as Mosquitto does)', () => {
    const rules = acl([
      { topic: 'test/nosubscribe', access: 'subscribe', allow: false },
      { topic: 'secret/#', allow: false },
      { topic: '#' },
    ]);
    const client = rules.forClient(undefined, 'c');
    expect(client.subscribeAccess('#')).toBe(SubscribeAccess.Partial);
    expect(client.subscribeAccess('sensors/#')).toBe(SubscribeAccess.Granted);
    expect(client.subscribeAccess('test/nosubscribe')).toBe(SubscribeAccess.Refused);
    expect(client.subscribeAccess('secret/+/x')).toBe(SubscribeAccess.Refused);
    expect(client.canReceive('sensors/a')).toBe(true);
    expect(client.canReceive('test/nosubscribe')).toBe(false);
    expect(client.canReceive('secret/a/x')).toBe(false);
    // An allow rule covering part of a filter, and nothing else: granted in part.
    const narrow = acl([{ topic: 'sensors/+/temp', access: 'subscribe' }]).forClient('u', 'c');
    expect(narrow.subscribeAccess('sensors/#')).toBe(SubscribeAccess.Partial);
    expect(narrow.canReceive('sensors/a/temp')).toBe(true);
    expect(narrow.canReceive('sensors/a/hum')).toBe(false);
  });

  it('reject malformed rule filters in config', () => {
    expect(aclRuleSchema.safeParse({ topic: 'a/#/b' }).success).toBe(false);
    expect(aclRuleSchema.safeParse({ topic: 'a/b+' }).success).toBe(false);
    expect(aclRuleSchema.safeParse({ topic: 'a/+/%u/#' }).success).toBe(true);
  });
});
