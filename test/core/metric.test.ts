import { describe, expect, it } from 'vitest';
import { CodecError } from '../../core/codecs/codec-errors.js';
import {
  INT64_MAX,
  INT64_MIN,
  UINT64_MAX,
  assertValidMetric,
  coerceField,
  fieldNumber,
  fromNs,
  nowNs,
  setEntry,
  toNs,
  validateMetric,
  type FieldType,
  type Metric,
} from '../../core/codecs/metric.js';

function coercionError(value: unknown, type?: FieldType): CodecError {
  try {
    coerceField(value, type);
  } catch (error) {
    if (error instanceof CodecError) return error;
    throw error;
  }
  throw new Error(`coerceField(${String(value)}, ${type}) did not throw`);
}

describe('coerceField without a type', () => {
  it('maps JS types to field types', () => {
    expect(coerceField(12.5)).toEqual({ type: 'float', value: 12.5 });
    expect(coerceField(true)).toEqual({ type: 'boolean', value: true });
    expect(coerceField('x')).toEqual({ type: 'string', value: 'x' });
    expect(coerceField(42n)).toEqual({ type: 'integer', value: 42n });
  });

  it('refuses values that are no field', () => {
    for (const value of [null, undefined, {}, [], Number.NaN, Infinity, 2n ** 63n]) {
      expect(coercionError(value).reason).toBe('type');
    }
  });
});

describe('coerceField with a type', () => {
  it('reads floats from numbers, numeric strings and booleans', () => {
    expect(coerceField('21.5', 'float')).toEqual({ type: 'float', value: 21.5 });
    expect(coerceField(' +1e3 ', 'float')).toEqual({ type: 'float', value: 1000 });
    expect(coerceField('-.5', 'float')).toEqual({ type: 'float', value: -0.5 });
    expect(coerceField(7n, 'float')).toEqual({ type: 'float', value: 7 });
    expect(coerceField(false, 'float')).toEqual({ type: 'float', value: 0 });
  });

  it('names the reason a float is refused', () => {
    expect(coercionError('abc', 'float').message).toBe('"abc" cannot be a float: not a number');
    expect(coercionError('NaN', 'float').message).toContain('not a number');
    expect(coercionError('inf', 'float').message).toContain('not a number');
    expect(coercionError('0x10', 'float').message).toContain('not a number');
    expect(coercionError('1e400', 'float').message).toContain('outside the float64 range');
    expect(coercionError(Infinity, 'float').message).toContain('not finite');
  });

  it('reads integers and enforces the signed 64-bit range', () => {
    expect(coerceField('-9223372036854775808', 'integer')).toEqual({ type: 'integer', value: INT64_MIN });
    expect(coerceField(' 9223372036854775807 ', 'integer')).toEqual({ type: 'integer', value: INT64_MAX });
    expect(coerceField(42, 'integer')).toEqual({ type: 'integer', value: 42n });
    expect(coerceField(true, 'integer')).toEqual({ type: 'integer', value: 1n });
    expect(coercionError(1.5, 'integer').message).toBe('1.5 cannot be an integer: not a whole number');
    expect(coercionError('1.5', 'integer').message).toContain('not a whole number');
    expect(coercionError('9223372036854775808', 'integer').message).toContain(
      'outside the signed 64-bit range',
    );
    expect(coercionError(2 ** 60, 'integer').message).toContain('send it as a string');
    expect(coercionError('12abc', 'integer').message).toContain('not a number');
  });

  it('reads unsigned integers from 0 to 2^64-1', () => {
    expect(coerceField('18446744073709551615', 'unsigned')).toEqual({ type: 'unsigned', value: UINT64_MAX });
    expect(coerceField(0, 'unsigned')).toEqual({ type: 'unsigned', value: 0n });
    expect(coercionError(-1, 'unsigned').message).toBe('-1 cannot be unsigned: negative');
    expect(coercionError('18446744073709551616', 'unsigned').message).toContain('above 2^64-1');
  });

  it('reads booleans from words and 0/1', () => {
    for (const word of ['true', 'T', 'on', 'YES', '1']) {
      expect(coerceField(word, 'boolean')).toEqual({ type: 'boolean', value: true });
    }
    for (const word of ['false', 'f', 'OFF', 'no', '0']) {
      expect(coerceField(word, 'boolean')).toEqual({ type: 'boolean', value: false });
    }
    expect(coerceField(1, 'boolean')).toEqual({ type: 'boolean', value: true });
    expect(coerceField(0n, 'boolean')).toEqual({ type: 'boolean', value: false });
    expect(coercionError(2, 'boolean').message).toContain('only 0 and 1');
    expect(coercionError('maybe', 'boolean').message).toContain('"maybe" cannot be a boolean');
  });

  it('writes scalars as strings', () => {
    expect(coerceField(12.5, 'string')).toEqual({ type: 'string', value: '12.5' });
    expect(coerceField(false, 'string')).toEqual({ type: 'string', value: 'false' });
    expect(coerceField(5n, 'string')).toEqual({ type: 'string', value: '5' });
    expect(coercionError(null, 'string').reason).toBe('type');
  });

  it('refuses an unknown type', () => {
    expect(coercionError(1, 'double' as FieldType).message).toContain('unknown field type "double"');
  });
});

describe('fieldNumber', () => {
  it('gives the numeric view used by alarms and charts', () => {
    expect(fieldNumber({ type: 'float', value: 1.5 })).toBe(1.5);
    expect(fieldNumber({ type: 'integer', value: -3n })).toBe(-3);
    expect(fieldNumber({ type: 'unsigned', value: 3n })).toBe(3);
    expect(fieldNumber({ type: 'boolean', value: true })).toBe(1);
    expect(fieldNumber({ type: 'boolean', value: false })).toBe(0);
    expect(fieldNumber({ type: 'string', value: '1' })).toBeUndefined();
  });
});

describe('timestamps', () => {
  it('converts between precisions, truncating toward zero like InfluxDB', () => {
    expect(toNs(1700000000000n, 'ms')).toBe(1700000000000000000n);
    expect(toNs(1700000000, 's')).toBe(1700000000000000000n);
    expect(toNs(1700000000000.5, 'ms')).toBe(1700000000000500000n);
    expect(toNs(5n, 'us')).toBe(5000n);
    expect(toNs(5n, 'ns')).toBe(5n);
    expect(fromNs(1700000000123456789n, 'ms')).toBe(1700000000123n);
    expect(fromNs(1700000000123456789n, 's')).toBe(1700000000n);
    expect(fromNs(-1500n, 'us')).toBe(-1n);
    expect(() => toNs(Number.NaN, 'ms')).toThrow(CodecError);
    expect(() => toNs(1n, 'm' as 'ms')).toThrow(RangeError);
  });

  it('nowNs follows the wall clock with sub-millisecond digits and does not repeat', () => {
    const before = BigInt(Date.now()) * 1_000_000n;
    const readings = Array.from({ length: 1000 }, () => nowNs());
    const after = BigInt(Date.now() + 1) * 1_000_000n;
    expect(readings[0]! >= before - 1_000_000n).toBe(true);
    expect(readings.at(-1)! <= after + 1_000_000n).toBe(true);
    expect(new Set(readings).size).toBeGreaterThan(990);
  });
});

describe('setEntry', () => {
  it('stores __proto__ as an own key instead of replacing the prototype', () => {
    const tags: Record<string, string> = {};
    setEntry(tags, '__proto__', 'x');
    setEntry(tags, 'constructor', 'y');
    expect(Object.getPrototypeOf(tags)).toBe(Object.prototype);
    expect(Object.keys(tags)).toEqual(['__proto__', 'constructor']);
    expect(Object.getOwnPropertyDescriptor(tags, '__proto__')?.value).toBe('x');
  });
});

describe('validateMetric', () => {
  const valid: Metric = {
    measurement: 'cpu',
    tags: { host: 'a' },
    fields: { usage: { type: 'float', value: 1 } },
  };
  const problems = (patch: Partial<Metric>) => validateMetric({ ...valid, ...patch });

  it('accepts a valid metric', () => {
    expect(validateMetric(valid)).toEqual([]);
    expect(() => assertValidMetric(valid)).not.toThrow();
  });

  it('requires a measurement and at least one field', () => {
    expect(problems({ measurement: '' })).toEqual([{ path: 'measurement', message: 'must not be empty' }]);
    expect(problems({ fields: {} })).toEqual([{ path: 'fields', message: 'at least one field is required' }]);
  });

  it('refuses a measurement that would read as a comment', () => {
    expect(problems({ measurement: '#cpu' })[0]?.message).toContain('"#"');
  });

  it('refuses empty tag keys and values', () => {
    expect(problems({ tags: { host: '' } })).toEqual([{ path: 'tags.host', message: 'must not be empty' }]);
    expect(problems({ tags: { '': 'a' } })[0]?.message).toBe('key must not be empty');
  });

  it('refuses the reserved keys time, _field and _measurement', () => {
    const field = { type: 'float', value: 1 } as const;
    expect(problems({ fields: { time: field } })).toEqual([
      { path: 'fields.time', message: 'key is reserved (time, _field, _measurement)' },
    ]);
    expect(problems({ tags: { _measurement: 'x' } })[0]?.path).toBe('tags._measurement');
    expect(problems({ fields: { _field: field } })[0]?.path).toBe('fields._field');
    expect(problems({ tags: { time: 'x' } })[0]?.path).toBe('tags.time');
  });

  it('refuses newlines and other control characters in names and tag values', () => {
    expect(problems({ measurement: 'a\nb' })[0]?.message).toContain('control characters');
    expect(problems({ tags: { host: 'a\tb' } })[0]?.message).toContain('control characters');
    expect(problems({ fields: { 'a\rb': { type: 'float', value: 1 } } })[0]?.message).toContain('control');
  });

  it('refuses a trailing backslash, which line protocol cannot escape', () => {
    expect(problems({ tags: { host: 'a\\' } })[0]).toEqual({
      path: 'tags.host',
      message: 'must not end with a backslash',
    });
    expect(problems({ measurement: 'm\\' })).toHaveLength(1);
    expect(problems({ tags: { host: 'a\\b' } })).toEqual([]);
  });

  it('refuses lone surrogates, which UTF-8 cannot carry', () => {
    expect(problems({ measurement: 'a\ud800' })[0]?.message).toContain('Unicode');
    expect(problems({ fields: { s: { type: 'string', value: 'x\udc00' } } })[0]?.message).toContain(
      'Unicode',
    );
    expect(problems({ measurement: 'a😀' })).toEqual([]);
  });

  it('checks each field value against its type and range', () => {
    const check = (field: unknown) => problems({ fields: { v: field as never } })[0]?.message;
    expect(check({ type: 'float', value: Number.NaN })).toContain('finite');
    expect(check({ type: 'float', value: -Infinity })).toContain('finite');
    expect(check({ type: 'integer', value: INT64_MAX + 1n })).toContain('signed 64-bit');
    expect(check({ type: 'integer', value: 1 })).toContain('bigint');
    expect(check({ type: 'unsigned', value: -1n })).toContain('2^64-1');
    expect(check({ type: 'boolean', value: 'true' })).toContain('boolean');
    expect(check({ type: 'string', value: 'x'.repeat(64 * 1024 + 1) })).toContain('64KB');
    expect(check({ type: 'string', value: 'é'.repeat(32 * 1024 + 1) })).toContain('64KB');
    expect(check({ type: 'string', value: 'x'.repeat(64 * 1024) })).toBeUndefined();
    expect(check({ type: 'decimal', value: 1 })).toContain('unknown type');
  });

  it('keeps timestamps within the range InfluxDB stores', () => {
    expect(problems({ timestamp: 9223372036854775806n })).toEqual([]);
    expect(problems({ timestamp: -9223372036854775806n })).toEqual([]);
    expect(problems({ timestamp: 9223372036854775807n })[0]?.path).toBe('timestamp');
    expect(problems({ timestamp: 5 as unknown as bigint })[0]?.path).toBe('timestamp');
  });

  it('reports every problem, and assertValidMetric names them', () => {
    const bad: Metric = { measurement: '', tags: { a: '' }, fields: {} };
    expect(validateMetric(bad)).toHaveLength(3);
    expect(() => assertValidMetric(bad)).toThrow(
      /measurement: must not be empty; tags.a: must not be empty; fields/,
    );
  });
});
