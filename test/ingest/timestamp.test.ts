import { describe, expect, it } from 'vitest';
import { timestampToNs } from '../../ingest/timestamp.js';

const S = 1_732_530_000n; // 2024-11-25T10:20:00Z
const NS = S * 1_000_000_000n;

describe('timestamps in a configured unit', () => {
  it('reads numbers and numeric strings in s, ms, us and ns', () => {
    expect(timestampToNs(1_732_530_000, 's')).toBe(NS);
    expect(timestampToNs('1732530000', 's')).toBe(NS);
    expect(timestampToNs(1_732_530_000_000, 'ms')).toBe(NS);
    expect(timestampToNs(' 1732530000000 ', 'ms')).toBe(NS);
    expect(timestampToNs(1_732_530_000_000_000, 'us')).toBe(NS);
    expect(timestampToNs('1732530000000000', 'us')).toBe(NS);
    // Nanoseconds are beyond a double's integer digits: a string keeps them all.
    expect(timestampToNs('1732530000123456789', 'ns')).toBe(NS + 123_456_789n);
  });

  it('keeps the fraction of float seconds, exactly from a string', () => {
    expect(timestampToNs(1_732_530_000.5, 's')).toBe(NS + 500_000_000n);
    expect(timestampToNs('1732530000.123456789', 's')).toBe(NS + 123_456_789n);
    expect(timestampToNs('1732530000123.5', 'ms')).toBe(NS + 123_500_000n);
    expect(timestampToNs('1.73253e9', 's')).toBe(NS);
  });

  it('picks the unit by magnitude when it is auto', () => {
    for (const value of [
      1_732_530_000,
      '1732530000',
      1_732_530_000_000,
      1_732_530_000_000_000,
      '1732530000000000000',
    ])
      expect(timestampToNs(value)).toBe(NS);
    expect(timestampToNs(1_732_530_000.25)).toBe(NS + 250_000_000n);
  });

  it('reads ISO 8601 with a time zone, whatever the unit', () => {
    expect(timestampToNs('2024-11-25T10:20:00Z', 's')).toBe(NS);
    expect(timestampToNs('2024-11-25T11:20:00.5+01:00')).toBe(NS + 500_000_000n);
  });

  it('says what it expected of anything else', () => {
    expect(() => timestampToNs('soon', 's')).toThrow(
      '"soon" is not a timestamp: expected a number (or numeric string) of s since the epoch or an ISO 8601 date-time with a time zone',
    );
    expect(() => timestampToNs(true)).toThrow(/not a timestamp/);
    expect(() => timestampToNs({ s: 1 })).toThrow(/not a timestamp/);
    expect(() => timestampToNs('2024-02-30T10:00:00Z')).toThrow(/not a valid date-time/);
    expect(() => timestampToNs('2024-11-25T10:00:00')).toThrow(/time zone/);
  });
});
