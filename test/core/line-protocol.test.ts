/**
 * The parser against the examples of the line protocol reference
 * (https://docs.influxdata.com/influxdb/v2/reference/syntax/line-protocol/) and its v1 edition.
 */
import { describe, expect, it } from 'vitest';
import { formatLineError, parseLineProtocol } from '../../core/codecs/line-protocol.js';
import type { Field, Metric } from '../../core/codecs/metric.js';

/** The one metric of a line that must parse. */
function one(text: string, options?: Parameters<typeof parseLineProtocol>[1]): Metric {
  const { metrics, errors } = parseLineProtocol(text, options);
  expect(errors).toEqual([]);
  expect(metrics).toHaveLength(1);
  return metrics[0]!;
}

function field(text: string): Field | undefined {
  return Object.values(one(text).fields)[0];
}

/** The reason a single line is refused. */
function refusal(text: string): string {
  const { metrics, errors } = parseLineProtocol(text);
  expect(metrics).toEqual([]);
  expect(errors).toHaveLength(1);
  return errors[0]!.message;
}

describe('elements', () => {
  it('reads the syntax example', () => {
    expect(one('myMeasurement,tag1=value1,tag2=value2 fieldKey="fieldValue" 1556813561098000000')).toEqual({
      measurement: 'myMeasurement',
      tags: { tag1: 'value1', tag2: 'value2' },
      fields: { fieldKey: { type: 'string', value: 'fieldValue' } },
      timestamp: 1556813561098000000n,
    });
  });

  it('leaves the timestamp out when the line has none, or uses the default', () => {
    expect(one('m f=1')).toEqual({ measurement: 'm', tags: {}, fields: { f: { type: 'float', value: 1 } } });
    expect(one('m f=1', { defaultTimestamp: 42n }).timestamp).toBe(42n);
    expect(one('m f=1 7', { defaultTimestamp: 42n }).timestamp).toBe(7n);
  });

  it('requires a measurement and at least one field', () => {
    expect(refusal('m')).toBe('missing fields');
    expect(refusal('m,t=1')).toBe('missing fields');
    expect(refusal('m ')).toBe('missing fields');
    expect(refusal('m 1556813561098000000')).toBe('field "1556813561098000000" has no "=" and value');
    expect(refusal(',t=1 f=1')).toBe('missing measurement');
  });

  it('refuses empty tag keys and values ("omit the tag from the tag set")', () => {
    expect(refusal('m,t= f=1')).toBe('tag "t" has an empty value');
    expect(refusal('m,=v f=1')).toBe('empty tag key');
    expect(refusal('m, f=1')).toBe('empty tag key');
    expect(refusal('m,t f=1')).toBe('tag "t" has no "=" and value');
    expect(refusal('m,t=a=b f=1')).toBe('tag "t" has an unescaped "=" in its value');
  });

  it('refuses a tag given twice, and keeps the last of duplicate fields', () => {
    expect(refusal('m,t=a,t=b f=1')).toBe('tag "t" appears twice');
    expect(one('m f=1,g=2,f="x"').fields).toEqual({
      f: { type: 'string', value: 'x' },
      g: { type: 'float', value: 2 },
    });
  });

  it('refuses the reserved keys time, _field and _measurement', () => {
    expect(refusal('m time=1')).toBe('field key "time" is reserved');
    expect(refusal('m,time=x f=1')).toBe('tag key "time" is reserved');
    expect(refusal('m,_field=x f=1')).toBe('tag key "_field" is reserved');
    expect(refusal('m _measurement=1')).toBe('field key "_measurement" is reserved');
    expect(one('time f=1').measurement).toBe('time');
  });

  it('refuses malformed field sets', () => {
    expect(refusal('m f=')).toBe('field "f" has no value');
    expect(refusal('m f=1,')).toBe('missing fields');
    expect(refusal('m f=1,,g=2')).toBe('missing field key before ","');
    expect(refusal('m =1')).toBe('missing field key before "="');
    expect(refusal('m f="a"x')).toBe('unexpected "x" after field "f"');
    expect(refusal('m f=1 2 3')).toBe('unexpected text after the timestamp: "3"');
  });
});

describe('field values', () => {
  it('reads floats, including exponents, -0 and integral values (spec: "Default numerical type")', () => {
    expect(field('m f=1.0')).toEqual({ type: 'float', value: 1 });
    expect(field('m f=1')).toEqual({ type: 'float', value: 1 });
    expect(field('m f=-1.234456e+78')).toEqual({ type: 'float', value: -1.234456e78 });
    expect(field('m f=1.e+78')).toEqual({ type: 'float', value: 1e78 });
    expect(field('m f=1.E+78')).toEqual({ type: 'float', value: 1e78 });
    expect(field('m f=5e-324')).toEqual({ type: 'float', value: 5e-324 });
    expect(field('m f=.5')).toEqual({ type: 'float', value: 0.5 });
    expect(Object.is(field('m f=-0')?.value, -0)).toBe(true);
  });

  it('refuses inf, nan, hex and out-of-range floats ("except NaN or +/- Inf")', () => {
    for (const value of [
      'inf',
      '-inf',
      '+Inf',
      'nan',
      'NaN',
      'Infinity',
      '0x10',
      '+1',
      '1e',
      '.',
      '-',
      '1..2',
    ]) {
      expect(refusal(`m f=${value}`)).toBe(`field "f" has invalid value "${value}"`);
    }
    expect(refusal('m f=1e400')).toBe('field "f" is outside the float range');
    expect(refusal('weather,loc=x temp=12.a')).toBe('field "temp" has invalid value "12.a"');
  });

  it('reads integers with the i suffix over the whole signed 64-bit range', () => {
    expect(field('m f=1i')).toEqual({ type: 'integer', value: 1n });
    expect(field('m f=-12485903i')).toEqual({ type: 'integer', value: -12485903n });
    expect(field('m f=-9223372036854775808i')).toEqual({ type: 'integer', value: -9223372036854775808n });
    expect(field('m f=9223372036854775807i')).toEqual({ type: 'integer', value: 9223372036854775807n });
    expect(refusal('m f=9223372036854775808i')).toBe('field "f" is outside the integer range');
    expect(refusal('m f=-9223372036854775809i')).toBe('field "f" is outside the integer range');
    expect(refusal('m f=1.5i')).toBe('field "f" has invalid value "1.5i"');
    expect(refusal('m f=i')).toBe('field "f" has invalid value "i"');
  });

  it('reads unsigned integers with the u suffix from 0 to 2^64-1', () => {
    expect(field('m f=0u')).toEqual({ type: 'unsigned', value: 0n });
    expect(field('m f=18446744073709551615u')).toEqual({ type: 'unsigned', value: 18446744073709551615n });
    expect(refusal('m f=18446744073709551616u')).toBe('field "f" is outside the unsigned range');
    expect(refusal('m f=-1u')).toBe('field "f" has invalid value "-1u"');
  });

  it('reads exactly the boolean spellings of the spec', () => {
    for (const word of ['t', 'T', 'true', 'True', 'TRUE'])
      expect(field(`m f=${word}`)).toEqual({ type: 'boolean', value: true });
    for (const word of ['f', 'F', 'false', 'False', 'FALSE']) {
      expect(field(`m f=${word}`)).toEqual({ type: 'boolean', value: false });
    }
    for (const word of ['tRUE', 'yes', 'on', 'falsey'])
      expect(refusal(`m f=${word}`)).toContain('invalid value');
    // "Quoted field values are interpreted as strings."
    expect(field('m f="true"')).toEqual({ type: 'string', value: 'true' });
  });

  it('reads strings with commas, spaces, equals signs and emoji unescaped', () => {
    expect(field('m f="a, b = c 🚀"')).toEqual({ type: 'string', value: 'a, b = c 🚀' });
    expect(field('m f=""')).toEqual({ type: 'string', value: '' });
  });

  it('refuses an unterminated string and strings longer than 64KB', () => {
    expect(refusal('m f="abc')).toBe('field "f" has an unterminated string');
    expect(refusal(`m f="${'x'.repeat(64 * 1024 + 1)}"`)).toBe('field "f" is longer than 64KB');
  });
});

describe('special characters (spec table)', () => {
  it('unescapes comma and space in measurements, where = needs no escape', () => {
    expect(one('my\\ Measurement fieldKey="string value"').measurement).toBe('my Measurement');
    expect(one('a\\,b f=1').measurement).toBe('a,b');
    expect(one('a=b f=1').measurement).toBe('a=b');
    expect(one('a\\=b f=1').measurement).toBe('a\\=b');
  });

  it('unescapes comma, equals sign and space in tag keys, tag values and field keys', () => {
    const metric = one('m,tag\\ Key1=tag\\ Value1,k\\,\\=x=v\\,\\=y f\\ \\,\\=k=100');
    expect(metric.tags).toEqual({ 'tag Key1': 'tag Value1', 'k,=x': 'v,=y' });
    expect(Object.keys(metric.fields)).toEqual(['f ,=k']);
  });

  it('unescapes double quotes and backslashes in string values', () => {
    expect(field('m fieldKey="\\"string\\" within a string"')).toEqual({
      type: 'string',
      value: '"string" within a string',
    });
  });

  it('reads backslash runs in strings as the spec table says', () => {
    const table: [string, string][] = [
      ['\\', '\\'],
      ['\\\\', '\\'],
      ['\\\\\\', '\\\\'],
      ['\\\\\\\\', '\\\\'],
      ['\\\\\\\\\\', '\\\\\\'],
      ['\\\\\\\\\\\\', '\\\\\\'],
    ];
    for (const [written, read] of table) expect(field(`m f="${written}x"`)?.value).toBe(`${read}x`);
    // A backslash before any other character is literal: \n is two characters, not a newline.
    expect(field('m f="a\\nb"')?.value).toBe('a\\nb');
  });

  it('keeps a backslash before other characters in names (v1 example: field_k\\ey)', () => {
    const metric = one(
      '"measurement\\ with\\ quo⚡️es\\ and\\ emoji",tag\\ key\\ with\\ sp🚀ces=tag\\,value\\,with"commas" field_k\\ey="string field value, only \\" need be esc🍭ped"',
    );
    expect(metric).toEqual({
      measurement: '"measurement with quo⚡️es and emoji"',
      tags: { 'tag key with sp🚀ces': 'tag,value,with"commas"' },
      fields: { 'field_k\\ey': { type: 'string', value: 'string field value, only " need be esc🍭ped' } },
    });
  });

  it('reads a doubled backslash before a separator as a literal backslash and an escape', () => {
    // As InfluxData's line-protocol/v2 decoder does: `\\,` is `\` then an escaped comma, never a separator.
    expect(one('m,t=a\\\\,b f=1').tags).toEqual({ t: 'a\\,b' });
  });

  it('takes emoji and quotes as plain characters in names', () => {
    expect(one('myMeasurement,tagKey=🍭 fieldKey="Launch 🚀" 1556813561098000000').tags).toEqual({
      tagKey: '🍭',
    });
    expect(one("'m',\"t\"='v' f=1").tags).toEqual({ '"t"': "'v'" });
  });

  it('refuses control characters and lone surrogates in names', () => {
    expect(refusal('m,t=a\tb f=1')).toBe('tag value contains a control character');
    expect(refusal('m\u0000 f=1')).toBe('measurement contains a control character');
    expect(refusal('m \ud800=1')).toBe('field key is not well-formed Unicode');
    expect(refusal('m f="\udc00"')).toBe('field "f" is not well-formed Unicode');
  });
});

describe('timestamps and precision', () => {
  it('scales timestamps by the precision', () => {
    expect(one('m f=1 1556813561', { precision: 's' }).timestamp).toBe(1556813561000000000n);
    expect(one('m f=1 1556813561098', { precision: 'ms' }).timestamp).toBe(1556813561098000000n);
    expect(one('m f=1 1556813561098000', { precision: 'us' }).timestamp).toBe(1556813561098000000n);
    expect(one('m f=1 1556813561098000000', { precision: 'ns' }).timestamp).toBe(1556813561098000000n);
    expect(one('m f=1 -5', { precision: 's' }).timestamp).toBe(-5000000000n);
  });

  it('keeps timestamps within ±9223372036854775806 ns', () => {
    expect(one('m f=1 9223372036854775806').timestamp).toBe(9223372036854775806n);
    expect(one('m f=1 -9223372036854775806').timestamp).toBe(-9223372036854775806n);
    expect(refusal('m f=1 9223372036854775807')).toContain('outside the range');
    const { errors } = parseLineProtocol('m f=1 9300000000', { precision: 's' });
    expect(errors[0]?.message).toContain('outside the range');
  });

  it('refuses timestamps that are not integers', () => {
    expect(refusal('m f=1 1.5')).toBe('invalid timestamp "1.5"');
    expect(refusal('m f=1 "1556813561098000000"')).toBe('invalid timestamp "\\"1556813561098000000\\""');
    expect(refusal('m f=1 1e9')).toBe('invalid timestamp "1e9"');
  });
});

describe('lines', () => {
  it('skips blank lines and comments, and reads \\n and \\r\\n endings', () => {
    const text = '# This is a comment\r\nm f=1 1\r\n\r\n   \n  # indented comment\nm f=2 2\n\nm f=3 3\r\n';
    const { metrics, errors } = parseLineProtocol(text);
    expect(errors).toEqual([]);
    expect(metrics.map((metric) => metric.timestamp)).toEqual([1n, 2n, 3n]);
  });

  it('allows several spaces between sections and trailing spaces', () => {
    expect(one('m,t=v   f=1   5   ').timestamp).toBe(5n);
    expect(one('   m f=1 ').measurement).toBe('m');
  });

  it('keeps good lines around bad ones and numbers every error', () => {
    const text = ['m f=1 1', '', 'weather temp=12.a', 'm f=2 2', 'no-fields', '# comment', 'm f=3 3'].join(
      '\n',
    );
    const { metrics, errors } = parseLineProtocol(text);
    expect(metrics.map((metric) => metric.timestamp)).toEqual([1n, 2n, 3n]);
    expect(errors).toEqual([
      { line: 3, message: 'field "temp" has invalid value "12.a"', text: 'weather temp=12.a' },
      { line: 5, message: 'missing fields', text: 'no-fields' },
    ]);
    expect(formatLineError(errors[0]!)).toBe('line 3: field "temp" has invalid value "12.a"');
  });

  it('reports the line without its \\r', () => {
    expect(parseLineProtocol('m f=x\r\nm f=1').errors).toEqual([
      { line: 1, message: 'field "f" has invalid value "x"', text: 'm f=x' },
    ]);
  });

  it('reads a newline inside a string field as part of the string, as InfluxDB does', () => {
    const { metrics, errors } = parseLineProtocol('m s="one\ntwo",n=1i 5\nm s="x" 6\nbad\n');
    expect(metrics.map((metric) => metric.fields.s?.value)).toEqual(['one\ntwo', 'x']);
    expect(errors).toEqual([{ line: 4, message: 'missing fields', text: 'bad' }]);
  });

  it('does not let an unterminated string swallow the lines after it', () => {
    const { metrics, errors } = parseLineProtocol('m f="open\nm g=1 1\nm s="closed" 2\nm h="open\nm h=1 3');
    expect(errors).toEqual([
      {
        line: 1,
        message: 'unexpected "c" after field "f" (after a string that spans lines: is a quote missing?)',
        text: 'm f="open',
      },
      { line: 4, message: 'field "h" has an unterminated string', text: 'm h="open' },
    ]);
    expect(metrics.map((metric) => metric.timestamp)).toEqual([1n, 2n, 3n]);
  });

  it('reports a stray carriage return', () => {
    expect(refusal('m f=1\rx')).toBe('unexpected "\\r" after field "f"');
    expect(one('m f=1\r').fields.f).toEqual({ type: 'float', value: 1 });
  });

  it('returns nothing for empty input', () => {
    expect(parseLineProtocol('')).toEqual({ metrics: [], errors: [] });
    expect(parseLineProtocol('\n\n# only comments\n')).toEqual({ metrics: [], errors: [] });
  });

  it('stores keys named like Object.prototype members as plain keys', () => {
    const metric = one('m,__proto__=x,constructor=y toString=1,__proto__=2');
    expect(Object.getPrototypeOf(metric.tags)).toBe(Object.prototype);
    expect(Object.keys(metric.tags)).toEqual(['__proto__', 'constructor']);
    expect(Object.keys(metric.fields)).toEqual(['toString', '__proto__']);
  });
});
