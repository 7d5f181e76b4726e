/**
 * What a varbind holds, as a number or text. net-snmp hands over Integer, Counter32, Gauge32 and
 * TimeTicks as numbers, but Counter64 as the raw big-endian bytes and OCTET STRING (and Opaque) as a
 * Buffer; agents often put numbers in strings (UCD `laLoad` is "0.15").
 */
import * as snmp from 'net-snmp';

/** One OID and its value, as net-snmp returns it. */
export type Varbind = snmp.Varbind;

export type Reading =
  | { kind: 'number'; value: number; counter?: undefined }
  /** A counter keeps its exact value: a rate is the difference of two readings, which must not round. */
  | { kind: 'number'; value: number; counter: { value: bigint; bits: 32 | 64 } }
  | { kind: 'text'; text: string };

const NUMERIC_TEXT = /^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$/;

export function readVarbind(varbind: Varbind): Reading {
  const { type, value } = varbind;
  switch (type) {
    case snmp.ObjectType.Counter32:
      return { kind: 'number', value: Number(value), counter: { value: BigInt(Number(value)), bits: 32 } };
    case snmp.ObjectType.Counter64: {
      const exact = unsigned(value);
      return { kind: 'number', value: Number(exact), counter: { value: exact, bits: 64 } };
    }
    case snmp.ObjectType.Integer:
    case snmp.ObjectType.Gauge32:
    case snmp.ObjectType.TimeTicks:
      return { kind: 'number', value: Number(value) };
    case snmp.ObjectType.Boolean:
      return { kind: 'number', value: value ? 1 : 0 };
    default:
      return { kind: 'text', text: text(value) };
  }
}

/** The reading as a number, or why it is not one. */
export function numberOf(reading: Reading): number | string {
  if (reading.kind === 'number') return reading.value;
  if (!NUMERIC_TEXT.test(reading.text)) return `not a number: ${JSON.stringify(reading.text.slice(0, 40))}`;
  return Number(reading.text);
}

export function textOf(reading: Reading): string {
  return reading.kind === 'text' ? reading.text : String(reading.value);
}

function text(value: snmp.VarbindValue): string {
  // DisplayStrings from some agents end in NUL bytes; they are padding, not text.
  if (Buffer.isBuffer(value)) return value.toString('utf8').replace(/\0+$/, '');
  return value === null || value === undefined ? '' : String(value);
}

function unsigned(value: snmp.VarbindValue): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') return BigInt(value);
  if (Buffer.isBuffer(value)) return value.length === 0 ? 0n : BigInt(`0x${value.toString('hex')}`);
  return 0n;
}
