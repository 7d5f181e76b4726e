/**
 * SNMPv2c and v3 table walks share GETBULK requests between columns (a varbind per column,
 * maxRepetitions rows each). Against snmpsim: every column every shipped profile reads, walked in
 * step over each vendor's data file, comes back exactly as a walk of that column alone; so does a
 * table whose columns have holes, end at different rows or are missing, and its rows are published
 * aligned by index, in fewer requests than a walk per column. What snmpsim does not do (truncate a
 * response to its message size) is checked against a small agent in the test.
 */
import * as snmp from 'net-snmp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { walkColumnsInStep, type NextInstances } from '../../../bridges/snmp/column-walk.js';
import { parseConfig } from '../../../config/load.js';
import { buildPlan } from '../../../bridges/snmp/plan.js';
import { pollDevice } from '../../../bridges/snmp/poll.js';
import { shippedProfiles } from '../../../bridges/snmp/profiles.js';
import { RateTracker } from '../../../bridges/snmp/rates.js';
import { openSession, type SnmpClient } from '../../../bridges/snmp/session.js';
import type { Varbind } from '../../../bridges/snmp/values.js';
import { compareOids, SIM_V3, simAccess, startSnmpsim, type SnmpsimServer } from '../../helpers/snmpsim.js';
import { startUdpRelay } from '../../helpers/udp-relay.js';
import { HOLE_COLUMNS, HOLES, T, text } from './holes-table.js';

const FIXTURES = ['apc-pdu', 'raritan-px3', 'eaton-epdu', 'sentry4'];
const fixture = (name: string) => new URL(`../../fixtures/snmpsim/${name}.snmprec`, import.meta.url).pathname;

let sim: SnmpsimServer;
beforeAll(async () => {
  sim = await startSnmpsim(
    { ...Object.fromEntries(FIXTURES.map((name) => [name, fixture(name)])), holes: HOLES },
    { v3: SIM_V3 },
  );
});
afterAll(async () => {
  await sim?.stop();
});

function device(file: string, version: '2c' | '3', port: number, extra: Record<string, unknown> = {}) {
  return parseConfig(
    {
      bridges: {
        snmp: { devices: [{ name: file, host: '127.0.0.1', port, ...simAccess(version, file), ...extra }] },
      },
    },
    { env: {} },
  ).bridges.snmp!.devices[0]!;
}

/** Every column OID the shipped profiles walk: values, the columns they depend on, tags. */
function shippedColumns(): string[] {
  const oids = new Set<string>();
  for (const profile of Object.values(shippedProfiles()))
    for (const walk of profile.walks) {
      for (const column of walk.columns)
        for (const oid of [column.oid, column.digits, column.multiplyBy, column.divideBy])
          if (oid !== undefined) oids.add(oid);
      for (const oid of Object.values(walk.tags)) oids.add(oid);
    }
  return [...oids];
}

/** Each column in step (as the bridge polls), and each walked alone (as it polled before). */
async function bothWays(client: SnmpClient, columns: readonly string[]) {
  const inStep = await client.walkColumns(columns, 8);
  const alone = new Map<string, string[]>();
  for (const column of columns) alone.set(column, text(await client.walk(column)));
  return { inStep: new Map([...inStep].map(([oid, rows]) => [oid, text(rows)])), alone };
}

describe('SNMPv2c/v3 walks: several columns per GETBULK', () => {
  it.each(FIXTURES)('reads every shipped profile column of %s exactly as a walk per column', async (file) => {
    const columns = shippedColumns();
    expect(columns.every((oid) => /^[0-9.]+$/.test(oid))).toBe(true);
    for (const version of ['2c', '3'] as const) {
      const client = openSession(device(file, version, sim.port), { retries: 1 });
      try {
        const { inStep, alone } = await bothWays(client, columns);
        expect(inStep).toEqual(alone);
        // The data file has rows for some of the columns (its vendor's): the comparison compared values.
        expect([...alone.values()].filter((rows) => rows.length > 0).length).toBeGreaterThan(3);
      } finally {
        client.close();
      }
    }
  });

  it('keeps columns with holes, early ends and no rows apart, in fewer requests', async () => {
    const relay = await startUdpRelay(sim.port);
    const client = openSession(device('holes', '2c', relay.port), { retries: 1 });
    try {
      const before = relay.requests();
      const inStep = await client.walkColumns(HOLE_COLUMNS, 8);
      const inStepRequests = relay.requests() - before;
      const alone = new Map<string, string[]>();
      for (const column of HOLE_COLUMNS) alone.set(column, text(await client.walk(column)));
      const aloneRequests = relay.requests() - before - inStepRequests;
      expect(new Map([...inStep].map(([oid, rows]) => [oid, text(rows)]))).toEqual(alone);
      expect([...inStep.values()].map((rows) => rows.length)).toEqual([30, 4, 3, 0]);
      expect(alone.get(`${T}.2`)).toEqual([2, 5, 9, 30].map((row) => `${T}.2.${row}=66:${200 + row}`));
      // In step: 2 GETBULKs of 20 rows carry column 1's 30 rows, the others ending on the way.
      // Alone: 2 for column 1, and at least one for each other column.
      expect(inStepRequests).toBeLessThanOrEqual(2);
      expect(aloneRequests).toBeGreaterThanOrEqual(5);
    } finally {
      client.close();
      relay.close();
    }
  });

  it('publishes the rows of such a table aligned by their index', async () => {
    const config = device('holes', '2c', sim.port, {
      walks: [
        {
          measurement: 'slot',
          indexTag: 'slot',
          tags: { label: `${T}.3` },
          columns: [
            { oid: `${T}.1`, name: 'a' },
            { oid: `${T}.2`, name: 'b' },
          ],
        },
      ],
    });
    const client = openSession(config, { retries: 1 });
    try {
      const result = await pollDevice(config, buildPlan(config), client, new RateTracker());
      expect(result.problems).toEqual([]);
      const rows = new Map(result.metrics.map((m) => [m.tags.slot, m]));
      expect(rows.size).toBe(30);
      const value = (slot: string, field: string) =>
        (rows.get(slot)?.fields[field] as { value: number } | undefined)?.value;
      for (let slot = 1; slot <= 30; slot++) {
        expect(value(String(slot), 'a')).toBe(100 + slot);
        expect(value(String(slot), 'b')).toBe([2, 5, 9, 30].includes(slot) ? 200 + slot : undefined);
        expect(rows.get(String(slot))!.tags.label).toBe(slot <= 3 ? `outlet-${slot}` : undefined);
      }
    } finally {
      client.close();
    }
  });
});

/**
 * A v2c agent over `oids` that answers a GETBULK as RFC 3416 §4.2.3 lets it: repetitions in row
 * order until `budget` varbinds, so a small message size leaves later columns out of a response.
 */
function bulkAgent(oids: string[], maxRepetitions: number, budget: number) {
  const sorted = [...oids].sort(compareOids);
  const requests: number[] = [];
  const successor = (oid: string): Varbind =>
    ((next) =>
      next === undefined
        ? { oid, type: snmp.ObjectType.EndOfMibView, value: null }
        : { oid: next, type: snmp.ObjectType.Integer, value: Number(next.split('.').at(-1)) })(
      sorted.find((candidate) => compareOids(candidate, oid) > 0),
    );
  const next: NextInstances = async (asked) => {
    requests.push(asked.length);
    const answers: Varbind[][] = asked.map(() => []);
    let cursors = [...asked];
    for (let r = 0, sent = 0; r < maxRepetitions; r++)
      cursors = cursors.map((oid, c) => {
        if (sent++ >= budget) return oid;
        const varbind = successor(oid);
        answers[c]!.push(varbind);
        return varbind.oid;
      });
    // net-snmp gives no list for a column the response has no varbind of.
    return answers.map((list) => (list.length === 0 ? undefined : list));
  };
  return { next, requests };
}

describe('SNMPv2c walks in step: what an agent may do to a GETBULK', () => {
  const columns = Array.from({ length: 6 }, (_, c) => `1.3.6.1.4.1.9.1.${c + 1}`);
  // Column c has rows 1..(c + 1) * 4, column 4 none.
  const instances = columns.flatMap((column, c) =>
    c === 3 ? [] : Array.from({ length: (c + 1) * 4 }, (_, row) => `${column}.${row + 1}`),
  );
  const expected = columns.map((column, c) => (c === 3 ? 0 : (c + 1) * 4));

  it('asks again for the columns a truncated response left out, and ends each at its own row', async () => {
    const agent = bulkAgent(instances, 20, 4); // at most 4 varbinds per response: 2 of 6 columns left out
    const rows = await walkColumnsInStep(agent.next, columns, 16);
    expect(columns.map((column) => rows.get(column)!.length)).toEqual(expected);
    for (const [c, column] of columns.entries())
      expect(rows.get(column)!.map((v) => v.oid)).toEqual(
        c === 3 ? [] : Array.from({ length: (c + 1) * 4 }, (_, row) => `${column}.${row + 1}`),
      );
    const whole = await walkColumnsInStep(bulkAgent(instances, 20, 1000).next, columns, 16);
    expect(whole).toEqual(rows);
  });

  it('never sends more than perRequest columns in one request, nor more than inFlight at once', async () => {
    const agent = bulkAgent(instances, 5, 1000);
    let inFlight = 0;
    let most = 0;
    const counted: NextInstances = async (asked) => {
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      const answer = await agent.next(asked);
      inFlight--;
      return answer;
    };
    const rows = await walkColumnsInStep(counted, columns, 2, 2);
    expect(columns.map((column) => rows.get(column)!.length)).toEqual(expected);
    expect(Math.max(...agent.requests)).toBe(2);
    expect(most).toBe(2);
  });

  it('fails, rather than asking for ever, when a response holds none of its columns', async () => {
    await expect(walkColumnsInStep(async (asked) => asked.map(() => undefined), columns, 16)).rejects.toThrow(
      /returned no instance of 1\.3\.6\.1\.4\.1\.9\.1\.1/,
    );
  });
});
