/**
 * SNMPv1 walks from the known rows return what a walk returns whatever the agent changed since the
 * previous poll: rows added before, between and after the known ones, rows gone, a column emptied
 * or new, values changed, the whole table replaced (an agent restarted with other rows). Each poll
 * is compared with a walk of the same agent state by a session that knows nothing. The agent is
 * v1-agent.ts, which changes its table between polls as snmpsim cannot.
 */
import { describe, expect, it } from 'vitest';
import { walkColumnsV1 } from '../../../bridges/snmp/column-walk.js';
import type { Varbind } from '../../../bridges/snmp/values.js';
import { V1KnownRows } from '../../../bridges/snmp/v1-known-rows.js';
import { v1Agent } from './v1-agent.js';

const C = '1.3.6.1.4.1.318.1.1.26.9.4.3.1';
const COLUMNS = [3, 6, 7].map((c) => `${C}.${c}`);
const AFTER = '1.3.6.1.4.1.318.1.1.27.1.0'; // a scalar after the table, which no walk may run into

/** The table: column → row → value; `AFTER` is always there. */
function instances(table: Record<number, Record<number, number>>): Map<string, number> {
  const out = new Map<string, number>([[AFTER, 1]]);
  for (const [column, rows] of Object.entries(table))
    for (const [row, value] of Object.entries(rows)) out.set(`${C}.${column}.${row}`, value);
  return out;
}

/** Rows 1..n of every column, valued `base + row`. */
function full(rows: number[], base = 0): Record<number, Record<number, number>> {
  const column = (offset: number) => Object.fromEntries(rows.map((row) => [row, base + offset + row]));
  return { 3: column(300), 6: column(600), 7: column(700) };
}

const asText = (walked: Map<string, Varbind[]>) =>
  Object.fromEntries([...walked].map(([column, rows]) => [column, rows.map((v) => `${v.oid}=${v.value}`)]));

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('SNMPv1 walks from the known rows', () => {
  const changes: [string, Record<number, Record<number, number>>][] = [
    ['values changed', full(range(1, 24), 1000)],
    ['a row added before the first', full([0, ...range(1, 24)])],
    ['rows added between known ones', full([0, 1, 2, 3, 4, 5, 5.5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16])],
    ['rows added after the last', full(range(1, 30))],
    ['rows gone at the start, middle and end', full([2, 3, 7, 8, 20])],
    ['holes: a column skips rows the others have', { ...full(range(1, 24)), 6: { 2: 1, 9: 2, 24: 3 } }],
    ['a column emptied', { 3: full(range(1, 24))[3]!, 7: full(range(1, 24))[7]! }],
    ['a column back', full(range(1, 24))],
    ['the whole table replaced', full(range(101, 140))],
    ['no rows at all', {}],
    ['rows again', full(range(1, 24))],
  ];

  it('returns what a walk of the same agent returns, poll after poll, whatever changed', async () => {
    const agent = v1Agent(instances(full(range(1, 24))), 16);
    const known = new V1KnownRows();
    await known.walk(agent.getNext, COLUMNS, 16, 8);
    for (const [change, table] of changes) {
      agent.set(instances(table));
      const fromKnown = asText(await known.walk(agent.getNext, COLUMNS, 16, 8));
      const walked = asText(await walkColumnsV1(agent.getNext, COLUMNS, 16));
      expect({ change, rows: fromKnown }).toEqual({ change, rows: walked });
    }
  });

  it('asks about the known rows up front, several requests at once, and nothing more when nothing changed', async () => {
    const agent = v1Agent(instances(full(range(1, 24))), 16);
    const known = new V1KnownRows();
    await known.walk(agent.getNext, COLUMNS, 16, 4);
    const walkRequests = agent.sizes.length;
    expect(walkRequests).toBeGreaterThanOrEqual(25); // a request per row, one to find the end
    agent.sizes.length = 0;
    const rows = await known.walk(agent.getNext, COLUMNS, 16, 4);
    expect(rows.get(`${C}.6`)!.map((v) => v.value)).toEqual(range(601, 624));
    // 3 columns, each asked from itself and its 24 rows: 75 OIDs in 5 requests of at most 16.
    expect(agent.sizes).toEqual([16, 16, 16, 16, 11]);
    expect(agent.mostInFlight()).toBe(4);
  });

  it('asks only about what it did not foresee when rows were added', async () => {
    const agent = v1Agent(instances(full(range(1, 24))), 16);
    const known = new V1KnownRows();
    await known.walk(agent.getNext, COLUMNS, 16, 8);
    agent.set(instances(full([...range(1, 12), 12.5, ...range(13, 24)])));
    agent.sizes.length = 0;
    await known.walk(agent.getNext, COLUMNS, 16, 8);
    // The 75 foreseen OIDs, then one request asking each column what follows its new row.
    expect(agent.sizes).toEqual([16, 16, 16, 16, 11, 3]);
  });

  it('splits what a v1 agent finds too big', async () => {
    const agent = v1Agent(instances(full(range(1, 24))), 4);
    const known = new V1KnownRows();
    const first = asText(await known.walk(agent.getNext, COLUMNS, 16, 8));
    const second = asText(await known.walk(agent.getNext, COLUMNS, 16, 8));
    expect(second).toEqual(first);
    expect(first[`${C}.7`]).toHaveLength(24);
  });
});
