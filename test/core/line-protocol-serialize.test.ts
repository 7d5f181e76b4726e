import { describe, expect, it } from 'vitest';
import { CodecError } from '../../core/codecs/codec-errors.js';
import {
  compareCodePoints,
  parseLineProtocol,
  serializeLineProtocol,
  serializeMetric,
} from '../../core/codecs/line-protocol.js';
import type { Field, Metric } from '../../core/codecs/metric.js';

const float = (value: number): Field => ({ type: 'float', value });

function metric(patch: Partial<Metric> = {}): Metric {
  return { measurement: 'm', tags: {}, fields: { f: float(1) }, ...patch };
}

describe('serializeMetric', () => {
  it('writes the spec example', () => {
    const written = serializeMetric({
      measurement: 'myMeasurement',
      tags: { tag1: 'value1', tag2: 'value2' },
      fields: { fieldKey: { type: 'string', value: 'fieldValue' } },
      timestamp: 1556813561098000000n,
    });
    expect(written).toBe('myMeasurement,tag1=value1,tag2=value2 fieldKey="fieldValue" 1556813561098000000');
  });

  it('writes every field type with its suffix', () => {
    const written = serializeMetric(
      metric({
        fields: {
          f: float(1),
          g: float(-1.234456e78),
          i: { type: 'integer', value: -9223372036854775808n },
          u: { type: 'unsigned', value: 18446744073709551615n },
          t: { type: 'boolean', value: true },
          n: { type: 'boolean', value: false },
          s: { type: 'string', value: 'x' },
        },
      }),
    );
    expect(written).toBe(
      'm f=1,g=-1.234456e+78,i=-9223372036854775808i,u=18446744073709551615u,t=true,n=false,s="x"',
    );
  });

  it('writes floats that read back to the same double, -0 included', () => {
    for (const value of [
      0.1,
      1 / 3,
      5e-324,
      Number.MAX_VALUE,
      -Number.MIN_VALUE,
      1e21,
      123456789012345680000,
      -0,
    ]) {
      const line = serializeMetric(metric({ fields: { f: float(value) } }));
      expect(line).not.toMatch(/[iu]$/);
      const read = parseLineProtocol(line).metrics[0]?.fields.f?.value;
      expect(Object.is(read, value)).toBe(true);
    }
    expect(serializeMetric(metric({ fields: { f: float(-0) } }))).toBe('m f=-0');
  });

  it('escapes comma and space in measurements, and comma, equals and space in keys and tag values', () => {
    const written = serializeMetric({
      measurement: 'my Meas,ure=ment',
      tags: { 'tag Key,=': 'tag Value,=' },
      fields: { 'field Key,=': float(1) },
    });
    expect(written).toBe('my\\ Meas\\,ure=ment,tag\\ Key\\,\\==tag\\ Value\\,\\= field\\ Key\\,\\==1');
  });

  it('escapes double quotes and backslashes in string values and writes newlines as they are', () => {
    const written = serializeMetric(metric({ fields: { s: { type: 'string', value: 'say "hi" \\ a\nb' } } }));
    expect(written).toBe('m s="say \\"hi\\" \\\\ a\nb"');
  });

  it('leaves quotes, backslashes and emoji in names as they are', () => {
    expect(serializeMetric(metric({ measurement: '"m\\x🚀', tags: { 'k"': "'v" } }))).toBe(
      '"m\\x🚀,k"=\'v f=1',
    );
  });

  it('sorts tags in UTF-8 byte order, as Go bytes.Compare (spec, performance tips)', () => {
    const tags = { b: '1', a: '2', B: '3', '\uffff': '4', '😀': '5', aa: '6' };
    expect(serializeMetric(metric({ tags }))).toBe('m,B=3,a=2,aa=6,b=1,\uffff=4,😀=5 f=1');
    expect(compareCodePoints('\uffff', '😀')).toBeLessThan(0);
    expect(compareCodePoints('a', 'a')).toBe(0);
    expect(compareCodePoints('a', 'ab')).toBeLessThan(0);
  });

  it('keeps field order', () => {
    expect(serializeMetric(metric({ fields: { z: float(1), a: float(2) } }))).toBe('m z=1,a=2');
  });

  it('writes timestamps in the requested precision, truncated toward zero', () => {
    const timestamped = metric({ timestamp: 1556813561098765432n });
    expect(serializeMetric(timestamped)).toBe('m f=1 1556813561098765432');
    expect(serializeMetric(timestamped, { precision: 'us' })).toBe('m f=1 1556813561098765');
    expect(serializeMetric(timestamped, { precision: 'ms' })).toBe('m f=1 1556813561098');
    expect(serializeMetric(timestamped, { precision: 's' })).toBe('m f=1 1556813561');
    expect(serializeMetric(metric({ timestamp: -1500000000n }), { precision: 's' })).toBe('m f=1 -1');
  });

  it('refuses metrics line protocol cannot carry, naming the problem', () => {
    const refusal = (bad: Metric) => {
      try {
        serializeMetric(bad);
      } catch (error) {
        expect(error).toBeInstanceOf(CodecError);
        expect((error as CodecError).reason).toBe('line-protocol');
        return (error as CodecError).message;
      }
      throw new Error('serializeMetric did not throw');
    };
    expect(refusal(metric({ fields: {} }))).toBe(
      'cannot write as line protocol: fields: at least one field is required',
    );
    expect(refusal(metric({ tags: { t: 'a\\' } }))).toContain('tags.t: must not end with a backslash');
    expect(refusal(metric({ tags: { t: 'a\nb' } }))).toContain('tags.t: must not contain control characters');
    expect(refusal(metric({ fields: { f: float(Number.NaN) } }))).toContain(
      'fields.f: must be a finite number',
    );
    expect(refusal(metric({ measurement: '#m' }))).toContain('measurement: must not begin with "#"');
  });
});

describe('serializeLineProtocol', () => {
  it('joins lines with \\n, without a trailing newline', () => {
    expect(serializeLineProtocol([metric(), metric({ measurement: 'n' })])).toBe('m f=1\nn f=1');
    expect(serializeLineProtocol([])).toBe('');
  });

  it('names the metric that cannot be written', () => {
    expect(() => serializeLineProtocol([metric(), metric({ measurement: '' })])).toThrow(
      'metric [1]: cannot write as line protocol: measurement: must not be empty',
    );
  });

  it('reads back what it wrote', () => {
    const metrics = [metric({ timestamp: 1n }), metric({ tags: { a: 'b c' }, timestamp: 2n })];
    expect(parseLineProtocol(serializeLineProtocol(metrics))).toEqual({ metrics, errors: [] });
  });
});
