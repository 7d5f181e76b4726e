import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../../config/load.js';
import type { ConfigInput } from '../../../config/schema.js';
import { compileKeyPattern } from '../../../bridges/redis/key-pattern.js';
import { compileMapper } from '../../../bridges/redis/mapper.js';
import type { RedisSelection } from '../../../bridges/redis/config.js';

type SelectionInput = NonNullable<NonNullable<ConfigInput['bridges']>['redis']>['selections'][number];

function selection(input: SelectionInput): RedisSelection {
  return parseConfig({ bridges: { redis: { selections: [input] } } }, { env: {} }).bridges.redis!
    .selections[0]!;
}

const AT = 1_700_000_000_000_000_000n;

describe('Redis key patterns', () => {
  it('captures named parts up to the next colon, or what a given regex matches; * skips', () => {
    expect(compileKeyPattern('electrical:busplug:{rack}:{phase}').match('electrical:busplug:R1:PA')).toEqual({
      rack: 'R1',
      phase: 'PA',
    });
    expect(
      compileKeyPattern('electrical:busplug:{rack}:{phase}').match('electrical:busplug:R1:PA:3'),
    ).toBeUndefined();
    expect(compileKeyPattern('busplug{rack:R\\d+}{phase:P[ABC]}*').match('busplugR12PB07')).toEqual({
      rack: 'R12',
      phase: 'PB',
    });
    expect(compileKeyPattern('a.b:{x}').match('aXb:1')).toBeUndefined(); // literal text is literal
  });

  it('refuses malformed patterns and templates naming unknown parts, with the path', () => {
    expect(() => compileKeyPattern('a:{x}:{x}')).toThrow(/named twice/);
    expect(() => compileKeyPattern('a:{x')).toThrow(/malformed/);
    let problems: string[] = [];
    try {
      parseConfig(
        {
          bridges: {
            redis: {
              selections: [
                {
                  name: 's',
                  match: 'a:*',
                  pattern: 'a:{rack}',
                  measurement: 'm_{pod}',
                  tags: { t: '{nope}' },
                },
              ],
            },
          },
        },
        { env: {} },
      );
    } catch (error) {
      problems = (error as ConfigError).problems.map((p) => `${p.path}: ${p.message}`);
    }
    expect(problems).toEqual([
      'bridges.redis.selections[0].measurement: "{pod}" is not named in the pattern',
      'bridges.redis.selections[0].tags.t: "{nope}" is not named in the pattern',
    ]);
  });
});

describe('Redis values to metrics', () => {
  const busplug = compileMapper(
    selection({
      name: 'busplug',
      match: 'electrical:busplug*',
      pattern: 'electrical:busplug:{rack}:{phase}',
      source: 'moc-{rack}',
      measurement: 'busplug',
      tags: { site: 'moc', where: '{rack}-{phase}' },
      lookups: { pod: { from: 'rack', values: { R1: 'pod1' }, default: 'unknown' } },
      fields: [
        { path: 'power.kw', name: 'power_w', scale: 1000 },
        { path: 'phases.1.amps' },
        { path: 'on', type: 'boolean' },
        { path: 'label', type: 'string' },
        { path: 'count', type: 'integer', scale: 10 },
      ],
    }),
  );

  it('takes fields by path, renames and converts them, and makes tags from the key, templates and lookups', () => {
    const value = JSON.stringify({
      power: { kw: 1.234 },
      phases: [{ amps: 1 }, { amps: '2.5' }],
      on: 'yes',
      label: 'A-1',
      count: 4,
    });
    expect(busplug('electrical:busplug:R1:PA', value, AT)).toEqual({
      kind: 'metric',
      source: 'moc-R1',
      metric: {
        measurement: 'busplug',
        tags: { rack: 'R1', phase: 'PA', site: 'moc', where: 'R1-PA', pod: 'pod1' },
        fields: {
          power_w: { type: 'float', value: 1234 },
          phases_1_amps: { type: 'float', value: 2.5 },
          on: { type: 'boolean', value: true },
          label: { type: 'string', value: 'A-1' },
          count: { type: 'integer', value: 40n },
        },
        timestamp: AT,
      },
      timestampFallback: false,
    });
    const other = busplug('electrical:busplug:R9:PA', JSON.stringify({ power: { kw: 1 } }), AT);
    expect(other.kind === 'metric' && other.metric.tags.pod).toBe('unknown');
  });

  it('says why a value cannot be a metric, and tells vanished and unmatched keys apart', () => {
    expect(busplug('electrical:busplug:R1:PA', '{"power":', AT)).toMatchObject({
      kind: 'bad',
      code: 'not-json',
      reason: expect.stringMatching(/^not JSON: /),
    });
    expect(busplug('electrical:busplug:R1:PA', '{"power": {"kw": "high"}}', AT)).toMatchObject({
      kind: 'bad',
      code: 'bad-field',
      reason: expect.stringContaining('power.kw: "high" cannot be a float'),
    });
    expect(busplug('electrical:busplug:R1:PA', '{"other": 1}', AT)).toEqual({
      kind: 'bad',
      code: 'no-field',
      reason: 'no field at the configured paths',
    });
    expect(busplug('electrical:busplug:R1:PA', null, AT)).toEqual({ kind: 'vanished' });
    expect(busplug('electrical:busplugR1PA', '{}', AT)).toEqual({ kind: 'unmatched' });
  });

  it('reads hashes and plain numbers, every numeric field by default, and a timestamp from the value', () => {
    const hash = compileMapper(selection({ name: 'h', match: 'm:*', type: 'hash', measurement: 'meter' }));
    expect(hash('m:1', { kw: '10.5', name: 'main', kwh: '7' }, AT)).toMatchObject({
      metric: { fields: { kw: { type: 'float', value: 10.5 }, kwh: { type: 'float', value: 7 } } },
    });
    const number = compileMapper(
      selection({
        name: 'n',
        match: 't:*',
        type: 'number',
        measurement: 'temp',
        fields: [{ path: 'value', name: 'celsius' }],
      }),
    );
    expect(number('t:1', ' 21.5 ', AT)).toMatchObject({
      metric: { fields: { celsius: { type: 'float', value: 21.5 } } },
    });
    expect(number('t:1', 'warm', AT)).toEqual({
      kind: 'bad',
      code: 'not-a-number',
      reason: 'not a number: "warm"',
    });
    const stamped = compileMapper(
      selection({ name: 's', match: 's:*', measurement: 's', timestampPath: 'at' }),
    );
    expect(stamped('s:1', JSON.stringify({ v: 1, at: '2024-11-25T10:00:00Z' }), AT)).toMatchObject({
      metric: { timestamp: BigInt(Date.parse('2024-11-25T10:00:00Z')) * 1_000_000n },
    });
  });
});
