/**
 * SNMPv1 table walks share GETNEXT requests between columns, and a session's later polls ask about
 * the rows its previous walk found up front (v1-known-rows.ts). Against snmpsim, through a UDP relay
 * that counts the requests: the same values come back as over v2c with one request per row instead
 * of one per row and column on the first poll, and in a few requests on the next; the end of the
 * agent's MIB (v1: noSuchName) ends the last column cleanly; a table with holes, early ends and an
 * empty column comes back exactly as each column walked alone, poll after poll. The tooBig and
 * noSuchName handling is checked against a small v1 agent (v1-agent.ts), which refuses what a real
 * v1 agent refuses.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../config/load.js';
import { buildPlan } from '../../../bridges/snmp/plan.js';
import { pollDevice } from '../../../bridges/snmp/poll.js';
import { RateTracker } from '../../../bridges/snmp/rates.js';
import { openSession } from '../../../bridges/snmp/session.js';
import { walkColumnsV1 } from '../../../bridges/snmp/column-walk.js';
import { startSnmpsim, type SnmpsimServer } from '../../helpers/snmpsim.js';
import { startUdpRelay } from '../../helpers/udp-relay.js';
import { HOLE_COLUMNS, HOLES, text } from './holes-table.js';
import { byLastId, v1Agent } from './v1-agent.js';

const FIXTURE = new URL('../../fixtures/snmpsim/apc-pdu.snmprec', import.meta.url).pathname;

let sim: SnmpsimServer;
beforeAll(async () => {
  sim = await startSnmpsim({ pdu: FIXTURE, holes: HOLES });
});
afterAll(async () => {
  await sim?.stop();
});

function pduDevice(version: '1' | '2c', port: number, extra: Record<string, unknown>) {
  return parseConfig(
    {
      bridges: {
        snmp: {
          devices: [
            { name: 'pdu', host: '127.0.0.1', port, community: 'pdu', version, profiles: [], ...extra },
          ],
        },
      },
    },
    { env: {} },
  ).bridges.snmp!.devices[0]!;
}

/** `polls` polls of the outlet table with one session: each poll's rows, problems and requests. */
async function pollThroughRelay(version: '1' | '2c', maxVarbinds: number, polls = 1) {
  const relay = await startUdpRelay(sim.port);
  const device = pduDevice(version, relay.port, { maxVarbinds, profiles: ['apc-rpdu2-outlet'] });
  const client = openSession(device, { retries: 1 });
  try {
    const results = [];
    for (let i = 0; i < polls; i++) {
      const before = relay.requests();
      const result = await pollDevice(device, buildPlan(device), client, new RateTracker());
      const rows = result.metrics
        .map((m) => ({ tags: m.tags, fields: m.fields }))
        .sort((a, b) => Number(a.tags.outlet) - Number(b.tags.outlet));
      results.push({ rows, problems: result.problems, requests: relay.requests() - before });
    }
    return results;
  } finally {
    client.close();
    relay.close();
  }
}

describe('SNMPv1 walks: several columns per GETNEXT', () => {
  it('reads the same outlets as v2c with one request per row rather than per row and column', async () => {
    const [v2c] = await pollThroughRelay('2c', 16);
    const [batched] = await pollThroughRelay('1', 16);
    const [single] = await pollThroughRelay('1', 1);
    expect(v2c!.rows).toHaveLength(8);
    expect(batched!.problems).toEqual([]);
    expect(batched!.rows).toEqual(v2c!.rows);
    expect(single!.rows).toEqual(v2c!.rows);
    // 4 columns × 8 outlets. Batched: a request per row and one that finds each column's end (the
    // energy column ends the agent's MIB: noSuchName, asked again without it). One OID per request:
    // a request per row and column, and one more per column.
    expect(batched!.requests).toBeLessThanOrEqual(8 + 3);
    expect(single!.requests).toBeGreaterThanOrEqual(4 * 9);
  });

  it('asks about the rows it knows up front on the next polls: the same outlets in a few requests', async () => {
    const [v2c] = await pollThroughRelay('2c', 16);
    const polls = await pollThroughRelay('1', 16, 3);
    for (const poll of polls) {
      expect(poll.problems).toEqual([]);
      expect(poll.rows).toEqual(v2c!.rows);
    }
    // 4 columns, each asked from itself and from its 8 rows: 36 OIDs, 3 requests of 16, and one
    // again without the OID at the end of the agent's MIB (noSuchName).
    expect(polls[0]!.requests).toBeGreaterThanOrEqual(8);
    expect(polls[1]!.requests).toBeLessThanOrEqual(4);
    expect(polls[2]!.requests).toBe(polls[1]!.requests);
  });

  it('walks a table with holes, early ends and an empty column exactly as each column alone', async () => {
    const relay = await startUdpRelay(sim.port);
    const client = openSession(pduDevice('1', relay.port, { community: 'holes', maxVarbinds: 16 }), {
      retries: 1,
    });
    try {
      const alone = new Map<string, string[]>();
      for (const column of HOLE_COLUMNS) alone.set(column, text(await client.walk(column)));
      expect([...alone.values()].map((rows) => rows.length)).toEqual([30, 4, 3, 0]);
      const requests: number[] = [];
      for (let poll = 0; poll < 3; poll++) {
        const before = relay.requests();
        const inStep = await client.walkColumns(HOLE_COLUMNS, 8);
        requests.push(relay.requests() - before);
        expect(new Map([...inStep].map(([oid, rows]) => [oid, text(rows)]))).toEqual(alone);
      }
      // First: a request per row of the longest column (30) and one to find its end. Then the 4
      // columns and their 37 rows asked up front, 16 per request: 3 requests.
      expect(requests[0]).toBeGreaterThanOrEqual(31);
      expect(requests[1]).toBeLessThanOrEqual(3);
      expect(requests[2]).toBe(requests[1]);
    } finally {
      client.close();
      relay.close();
    }
  });
});

describe('SNMPv1 walks: what a v1 agent refuses', () => {
  const columns = Array.from({ length: 6 }, (_, c) => `1.3.6.1.4.1.9.1.${c + 1}`);
  const instances = columns.flatMap((column) => [1, 2, 3].map((row) => `${column}.${row}`));

  it('splits a request the agent finds too big, and ends a column at noSuchName', async () => {
    const agent = v1Agent(byLastId(instances), 4);
    const rows = await walkColumnsV1(agent.getNext, columns, 16);
    for (const column of columns)
      expect(rows.get(column)!.map((v) => v.oid)).toEqual([1, 2, 3].map((row) => `${column}.${row}`));
    expect(agent.sizes.filter((size) => size > 4).length).toBeGreaterThan(0); // asked, refused
    expect(Math.max(...agent.sizes)).toBe(6);
  });

  it('never sends more than maxVarbinds OIDs in one request', async () => {
    const agent = v1Agent(byLastId(instances), 100);
    const rows = await walkColumnsV1(agent.getNext, columns, 4);
    expect([...rows.values()].map((list) => list.length)).toEqual([3, 3, 3, 3, 3, 3]);
    expect(Math.max(...agent.sizes)).toBe(4);
  });

  it('passes on any other refusal', async () => {
    const denied = Object.assign(new Error('GenErr'), { name: 'RequestFailedError', status: 5 });
    await expect(walkColumnsV1(() => Promise.reject(denied), columns, 4)).rejects.toBe(denied);
  });
});
