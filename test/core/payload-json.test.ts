import { describe, expect, it } from 'vitest';
import { CodecError } from '../../core/codecs/codec-errors.js';
import {
  getPath,
  jsonTimestampToNs,
  jsonToMetrics,
  parseJsonMetrics,
} from '../../core/codecs/payload-json.js';

describe('parseJsonMetrics', () => {
  it('reads one metric object', () => {
    const text = JSON.stringify({
      measurement: 'cpu',
      tags: { host: 'a' },
      fields: { usage: 12.5, ok: true, name: 'x' },
      timestamp: 1700000000000,
    });
    expect(parseJsonMetrics(text)).toEqual({
      metrics: [
        {
          measurement: 'cpu',
          tags: { host: 'a' },
          fields: {
            usage: { type: 'float', value: 12.5 },
            ok: { type: 'boolean', value: true },
            name: { type: 'string', value: 'x' },
          },
          timestamp: 1700000000000000000n,
        },
      ],
      errors: [],
    });
  });

  it('reads an array, keeping good metrics and naming the path of each bad one', () => {
    const text = JSON.stringify([
      { measurement: 'a', fields: { v: 1 } },
      { measurement: 'b', fields: { v: 2 } },
      { measurement: 'c', fields: { temp: null } },
      { measurement: 'd', fields: { v: 4 } },
    ]);
    const { metrics, errors } = parseJsonMetrics(text);
    expect(metrics.map((metric) => metric.measurement)).toEqual(['a', 'b', 'd']);
    expect(errors).toEqual([
      {
        path: '[2].fields.temp',
        reason: 'json',
        message: '[2].fields.temp: expected number, boolean or string',
      },
    ]);
  });

  it('uses the default timestamp only when the metric has none', () => {
    const text = JSON.stringify([
      { measurement: 'a', fields: { v: 1 } },
      { measurement: 'b', fields: { v: 1 }, timestamp: 5 },
    ]);
    const { metrics } = parseJsonMetrics(text, { defaultTimestamp: 42n });
    expect(metrics.map((metric) => metric.timestamp)).toEqual([42n, 5_000_000n]);
    expect(parseJsonMetrics('{"measurement":"a","fields":{"v":1}}').metrics[0]).not.toHaveProperty(
      'timestamp',
    );
  });

  it('selects explicit types with { value, type }', () => {
    const text = JSON.stringify({
      measurement: 'm',
      fields: {
        big: { value: '9223372036854775807', type: 'integer' },
        count: { value: 3, type: 'unsigned' },
        level: { value: '21.5', type: 'float' },
        on: { value: 'ON', type: 'boolean' },
        label: { value: 5, type: 'string' },
        plain: { value: 1.5 },
      },
    });
    expect(parseJsonMetrics(text).metrics[0]?.fields).toEqual({
      big: { type: 'integer', value: 9223372036854775807n },
      count: { type: 'unsigned', value: 3n },
      level: { type: 'float', value: 21.5 },
      on: { type: 'boolean', value: true },
      label: { type: 'string', value: '5' },
      plain: { type: 'float', value: 1.5 },
    });
  });

  it('explains why an explicit type cannot be applied', () => {
    const errors = (fields: unknown) => parseJsonMetrics(JSON.stringify({ measurement: 'm', fields })).errors;
    expect(errors({ n: { value: 1.5, type: 'integer' } })).toEqual([
      { path: 'fields.n', reason: 'type', message: 'fields.n: 1.5 cannot be an integer: not a whole number' },
    ]);
    expect(errors({ n: { value: -1, type: 'unsigned' } })[0]?.message).toBe(
      'fields.n: -1 cannot be unsigned: negative',
    );
    expect(errors({ n: { value: 1, type: 'double' } })[0]?.message).toBe(
      'fields.n.type: expected one of float, integer, unsigned, boolean, string',
    );
    expect(errors({ n: { value: null, type: 'float' } })[0]?.path).toBe('fields.n.value');
    expect(errors({ n: { value: 1, unit: 'C' } })[0]?.message).toBe(
      'fields.n.unit: unknown key (value, type)',
    );
    expect(errors({ n: { type: 'float' } })[0]?.message).toBe('fields.n: expected number, boolean or string');
    expect(errors({ n: [1] })[0]?.message).toBe('fields.n: expected number, boolean or string');
  });

  it('takes numbers and booleans in tags as their text, and refuses other tag values', () => {
    const text = JSON.stringify({
      measurement: 'm',
      tags: { floor: 3, wet: false, room: null },
      fields: { v: 1 },
    });
    expect(parseJsonMetrics(text).errors[0]?.message).toBe('tags.room: expected a string');
    const ok = JSON.stringify({ measurement: 'm', tags: { floor: 3, wet: false }, fields: { v: 1 } });
    expect(parseJsonMetrics(ok).metrics[0]?.tags).toEqual({ floor: '3', wet: 'false' });
  });

  it('refuses payloads that are not metric objects', () => {
    expect(parseJsonMetrics('{"measurement":').errors[0]).toMatchObject({ path: '', reason: 'json' });
    expect(parseJsonMetrics('{"measurement":').errors[0]?.message).toMatch(/^not JSON: /);
    expect(parseJsonMetrics('42').errors[0]?.message).toBe('expected a metric object or an array of them');
    expect(parseJsonMetrics('[1]').errors[0]?.message).toBe(
      '[0]: expected an object with "measurement" and "fields"',
    );
    expect(parseJsonMetrics('[]')).toEqual({ metrics: [], errors: [] });
  });

  it('names every structural problem of a metric', () => {
    const text = JSON.stringify({ measurement: 5, tags: [], fields: 'x', extra: 1 });
    expect(parseJsonMetrics(text).errors.map((error) => error.message)).toEqual([
      'extra: unknown key (measurement, tags, fields, timestamp)',
      'measurement: expected a string',
      'tags: expected an object of strings',
      'fields: expected an object of fields',
    ]);
  });

  it('applies the model rules, with paths', () => {
    const text = JSON.stringify([{ measurement: 'm', tags: { host: '' }, fields: { time: 1, 'a b': 2 } }]);
    const { metrics, errors } = parseJsonMetrics(text);
    expect(metrics).toEqual([]);
    expect(errors).toEqual([
      { path: '[0].tags.host', reason: 'metric', message: '[0].tags.host: must not be empty' },
      {
        path: '[0].fields.time',
        reason: 'metric',
        message: '[0].fields.time: key is reserved (time, _field, _measurement)',
      },
    ]);
    expect(parseJsonMetrics('{"measurement":"m","fields":{}}').errors[0]?.message).toBe(
      'fields: at least one field is required',
    );
  });

  it('quotes keys that are not identifiers in paths', () => {
    const text = JSON.stringify({ measurement: 'm', fields: { 'a.b c': null } });
    expect(parseJsonMetrics(text).errors[0]?.path).toBe('fields["a.b c"]');
  });

  it('stores a __proto__ key as a field, not as a prototype', () => {
    const { metrics } = parseJsonMetrics(
      '{"measurement":"m","tags":{"__proto__":"x"},"fields":{"__proto__":1}}',
    );
    expect(Object.keys(metrics[0]!.fields)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(metrics[0]!.tags)).toBe(Object.prototype);
  });

  it('accepts an already parsed document', () => {
    expect(jsonToMetrics({ measurement: 'm', fields: { v: true } }).metrics).toHaveLength(1);
  });
});

describe('jsonTimestampToNs', () => {
  it('reads milliseconds, fractions included', () => {
    expect(jsonTimestampToNs(1700000000000)).toBe(1700000000000000000n);
    expect(jsonTimestampToNs(1700000000000.25)).toBe(1700000000000250000n);
    expect(jsonTimestampToNs(-1)).toBe(-1000000n);
  });

  it('reads ISO 8601 date-times with a zone, to the nanosecond', () => {
    expect(jsonTimestampToNs('2026-11-25T10:00:00Z')).toBe(BigInt(Date.UTC(2026, 10, 25, 10)) * 1_000_000n);
    expect(jsonTimestampToNs('2026-11-25T11:30:00+01:30')).toBe(
      BigInt(Date.UTC(2026, 10, 25, 10)) * 1_000_000n,
    );
    expect(jsonTimestampToNs('2026-11-25 09:00-0100')).toBe(BigInt(Date.UTC(2026, 10, 25, 10)) * 1_000_000n);
    expect(jsonTimestampToNs('1970-01-01T00:00:00.123456789Z')).toBe(123456789n);
    expect(jsonTimestampToNs('1970-01-01T00:00:01,5z')).toBe(1500000000n);
    // Two-digit years are not taken as 19xx, as Date.UTC would.
    expect(jsonTimestampToNs('0099-01-01T00:00:00Z')).toBe(
      BigInt(Date.parse('0099-01-01T00:00:00Z')) * 1_000_000n,
    );
  });

  it('refuses dates without a zone, impossible dates and other values', () => {
    for (const value of [
      '2026-11-25T10:00:00',
      '2026-02-30T10:00:00Z',
      '2026-11-25T24:00:00Z',
      'yesterday',
      '1700000000000',
      null,
      true,
      Number.NaN,
    ]) {
      expect(() => jsonTimestampToNs(value)).toThrow(CodecError);
    }
    expect(() => jsonTimestampToNs('2026-11-25T10:00:00')).toThrow(/ISO 8601 date-time with a time zone/);
    expect(() => jsonTimestampToNs('2026-02-30T10:00:00Z')).toThrow(
      '"2026-02-30T10:00:00Z" is not a valid date-time',
    );
  });

  it('reports a bad timestamp with its path', () => {
    const text = JSON.stringify([{ measurement: 'm', fields: { v: 1 }, timestamp: 'soon' }]);
    expect(parseJsonMetrics(text).errors[0]?.path).toBe('[0].timestamp');
  });
});

describe('getPath', () => {
  const document = { a: { b: [{ c: 1 }, { c: 2 }] }, 'x.y': 3, zero: 0, empty: null };

  it('follows dotted paths through objects and arrays', () => {
    expect(getPath(document, 'a.b.1.c')).toBe(2);
    expect(getPath(document, 'a.b.0')).toEqual({ c: 1 });
    expect(getPath(document, 'zero')).toBe(0);
    expect(getPath(document, 'empty')).toBeNull();
    expect(getPath(document, '')).toBe(document);
    expect(getPath([10, 20], '1')).toBe(20);
  });

  it('returns undefined for missing steps', () => {
    expect(getPath(document, 'a.x')).toBeUndefined();
    expect(getPath(document, 'a.b.2.c')).toBeUndefined();
    expect(getPath(document, 'a.b.-1')).toBeUndefined();
    expect(getPath(document, 'a.b.01')).toBeUndefined();
    expect(getPath(document, 'zero.x')).toBeUndefined();
    expect(getPath(document, 'x.y')).toBeUndefined();
    expect(getPath(null, 'a')).toBeUndefined();
  });

  it('never reaches into prototypes', () => {
    expect(getPath(document, 'constructor')).toBeUndefined();
    expect(getPath(document, '__proto__')).toBeUndefined();
    expect(getPath(document, 'a.b.length')).toBeUndefined();
    expect(getPath('text', 'length')).toBeUndefined();
  });
});
