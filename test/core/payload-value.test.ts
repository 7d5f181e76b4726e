import { describe, expect, it } from 'vitest';
import { CodecError } from '../../core/codecs/codec-errors.js';
import type { FieldType } from '../../core/codecs/metric.js';
import { parseValuePayload } from '../../core/codecs/payload-value.js';

function refusal(payload: string | Uint8Array, type?: FieldType): CodecError {
  try {
    parseValuePayload(payload, type);
  } catch (error) {
    if (error instanceof CodecError) return error;
    throw error;
  }
  throw new Error(`${String(payload)} was accepted`);
}

describe('parseValuePayload', () => {
  it('reads numbers as floats by default, ignoring surrounding white space', () => {
    expect(parseValuePayload('21.5')).toEqual({ type: 'float', value: 21.5 });
    expect(parseValuePayload(' 42 \r\n')).toEqual({ type: 'float', value: 42 });
    expect(parseValuePayload('-1e-3')).toEqual({ type: 'float', value: -0.001 });
    expect(parseValuePayload(Buffer.from('7'))).toEqual({ type: 'float', value: 7 });
  });

  it('reads the requested numeric type', () => {
    expect(parseValuePayload(' 42 ', 'integer')).toEqual({ type: 'integer', value: 42n });
    expect(parseValuePayload('18446744073709551615', 'unsigned')).toEqual({
      type: 'unsigned',
      value: 2n ** 64n - 1n,
    });
    expect(parseValuePayload('"12"', 'integer')).toEqual({ type: 'integer', value: 12n });
  });

  it('reads switch words as booleans, and as 1/0 for numeric types', () => {
    expect(parseValuePayload('ON', 'boolean')).toEqual({ type: 'boolean', value: true });
    expect(parseValuePayload('off', 'boolean')).toEqual({ type: 'boolean', value: false });
    expect(parseValuePayload('true', 'boolean')).toEqual({ type: 'boolean', value: true });
    expect(parseValuePayload('0', 'boolean')).toEqual({ type: 'boolean', value: false });
    expect(parseValuePayload('ON', 'float')).toEqual({ type: 'float', value: 1 });
    expect(parseValuePayload('"OFF"', 'integer')).toEqual({ type: 'integer', value: 0n });
    expect(parseValuePayload('yes', 'unsigned')).toEqual({ type: 'unsigned', value: 1n });
  });

  it('reads text, unquoting JSON strings', () => {
    expect(parseValuePayload('hello world', 'string')).toEqual({ type: 'string', value: 'hello world' });
    expect(parseValuePayload('"  a \\"b\\"  "', 'string')).toEqual({ type: 'string', value: '  a "b"  ' });
    expect(parseValuePayload('ON', 'string')).toEqual({ type: 'string', value: 'ON' });
    expect(parseValuePayload('21.5', 'string')).toEqual({ type: 'string', value: '21.5' });
  });

  it('refuses empty payloads', () => {
    for (const payload of ['', '   ', '\n', new Uint8Array()]) {
      const error = refusal(payload);
      expect(error.reason).toBe('value');
      expect(error.message).toBe('empty payload');
    }
  });

  it('refuses garbage with the reason value and a message naming it', () => {
    expect(refusal('abc').message).toBe('"abc" cannot be a float: not a number');
    expect(refusal('21.5°C').reason).toBe('value');
    expect(refusal('1.5', 'integer').message).toBe('"1.5" cannot be an integer: not a whole number');
    expect(refusal('-1', 'unsigned').message).toBe('"-1" cannot be unsigned: negative');
    expect(refusal('maybe', 'boolean').message).toContain('cannot be a boolean');
    expect(refusal('{"v":1}').reason).toBe('value');
    expect(refusal('"unterminated').message).toBe('payload "\\"unterminated" is not a valid JSON string');
    expect(refusal('"a" "b"').reason).toBe('value');
    expect(refusal(new Uint8Array([0xff, 0xfe, 0x31])).message).toBe('payload is not valid UTF-8');
  });

  it('keeps the coercion error as the cause', () => {
    const error = refusal('abc', 'integer');
    expect(error.cause).toBeInstanceOf(CodecError);
    expect((error.cause as CodecError).reason).toBe('type');
    expect(error.code).toBe('BUSBAR_PAYLOAD_INVALID');
    expect(error.retryable).toBe(false);
  });

  it('cuts long garbage in messages', () => {
    expect(refusal('x'.repeat(10_000)).message.length).toBeLessThan(120);
  });
});
