/**
 * A table with holes for snmpsim: column 1 has rows 1–30 (more than one GETBULK's 20 repetitions),
 * column 2 rows 2, 5, 9 and 30 only (empty outlets), column 3 rows 1–3, column 4 none; a scalar and
 * another table follow, which a column's walk must not run into.
 */
import type { Varbind } from '../../../bridges/snmp/values.js';
import type { SnmprecRecord } from '../../helpers/snmpsim.js';

export const T = '1.3.6.1.4.1.99999.1.1';
export const HOLES: SnmprecRecord[] = [
  { oid: '1.3.6.1.2.1.1.5.0', type: 4, value: 'holes' },
  ...Array.from({ length: 30 }, (_, i) => ({ oid: `${T}.1.${i + 1}`, type: 2, value: 100 + i + 1 })),
  ...[2, 5, 9, 30].map((row) => ({ oid: `${T}.2.${row}`, type: 66, value: 200 + row })),
  ...[1, 2, 3].map((row) => ({ oid: `${T}.3.${row}`, type: 4, value: `outlet-${row}` })),
  { oid: '1.3.6.1.4.1.99999.1.2.0', type: 2, value: 7 },
  { oid: '1.3.6.1.4.1.99999.2.1.1.1', type: 2, value: 8 },
];
export const HOLE_COLUMNS = [1, 2, 3, 4].map((c) => `${T}.${c}`);

/** A column's instances as comparable text. */
export const text = (rows: readonly Varbind[]) =>
  rows.map(
    (v) => `${v.oid}=${v.type}:${Buffer.isBuffer(v.value) ? v.value.toString('hex') : String(v.value)}`,
  );
