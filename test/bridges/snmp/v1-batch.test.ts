/**
 * SNMPv1 table walks share GETNEXT requests between columns. Against snmpsim, through a UDP relay
 * that counts the requests: the same values come back with one request per row instead of one per
 * row and column, and the end of the agent's MIB (v1: noSuchName) ends the last column cleanly. The
 * tooBig and noSuchName handling is checked against a small v1 agent in the test, which refuses
 * what a real v1 agent refuses.
 */
import * as snmp from 'net-snmp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../config/load.js';
import { buildPlan } from '../../../bridges/snmp/plan.js';
import { pollDevice } from '../../../bridges/snmp/poll.js';
import { RateTracker } from '../../../bridges/snmp/rates.js';
import { openSession, type Varbind } from '../../../bridges/snmp/session.js';
import { walkColumnsV1 } from '../../../bridges/snmp/column-walk.js';
import { compareOids, startSnmpsim, type SnmpsimServer } from '../../helpers/snmpsim.js';
import { startUdpRelay } from '../../helpers/udp-relay.js';

const FIXTURE = new URL('../../fixtures/snmpsim/apc-pdu.snmprec', import.meta.url).pathname;

let sim: SnmpsimServer;
beforeAll(async () => {
  sim = await startSnmpsim({ pdu: FIXTURE });
});
afterAll(async () => {
  await sim?.stop();
});

async function pollThroughRelay(version: '1' | '2c', maxVarbinds: number) {
  const relay = await startUdpRelay(sim.port);
  const device = parseConfig(
    {
      bridges: {
        snmp: {
          devices: [
            {
              name: 'pdu',
              host: '127.0.0.1',
              port: relay.port,
              community: 'pdu',
              version,
              maxVarbinds,
              profiles: ['apc-rpdu2-outlet'],
            },
          ],
        },
      },
    },
    { env: {} },
  ).bridges.snmp!.devices[0]!;
  const client = openSession(device, { retries: 1 });
  try {
    const result = await pollDevice(device, buildPlan(device), client, new RateTracker());
    const rows = result.metrics
      .map((m) => ({ tags: m.tags, fields: m.fields }))
      .sort((a, b) => Number(a.tags.outlet) - Number(b.tags.outlet));
    return { rows, problems: result.problems, requests: relay.requests() };
  } finally {
    client.close();
    relay.close();
  }
}

describe('SNMPv1 walks: several columns per GETNEXT', () => {
  it('reads the same outlets as v2c with one request per row rather than per row and column', async () => {
    const v2c = await pollThroughRelay('2c', 16);
    const batched = await pollThroughRelay('1', 16);
    const single = await pollThroughRelay('1', 1);
    expect(v2c.rows).toHaveLength(8);
    expect(batched.problems).toEqual([]);
    expect(batched.rows).toEqual(v2c.rows);
    expect(single.rows).toEqual(v2c.rows);
    // 4 columns × 8 outlets. Batched: a request per row and one that finds each column's end (the
    // energy column ends the agent's MIB: noSuchName, asked again without it). One OID per request:
    // a request per row and column, and one more per column.
    expect(batched.requests).toBeLessThanOrEqual(8 + 3);
    expect(single.requests).toBeGreaterThanOrEqual(4 * 9);
  });
});

/** A v1 agent over `oids`: refuses more than `maxVarbinds` per request (tooBig), noSuchName past the end. */
function v1Agent(oids: string[], maxVarbinds: number) {
  const sorted = [...oids].sort(compareOids);
  const sizes: number[] = [];
  const fail = (message: string, status: number) =>
    Object.assign(new Error(message), { name: 'RequestFailedError', status });
  const getNext = async (asked: readonly string[]): Promise<Varbind[]> => {
    sizes.push(asked.length);
    if (asked.length > maxVarbinds) throw fail('TooBig', snmp.ErrorStatus.TooBig);
    return asked.map((oid) => {
      const next = sorted.find((candidate) => compareOids(candidate, oid) > 0);
      if (next === undefined) throw fail(`NoSuchName: ${oid}`, snmp.ErrorStatus.NoSuchName);
      return { oid: next, type: snmp.ObjectType.Integer, value: Number(next.split('.').at(-1)) };
    });
  };
  return { getNext, sizes };
}

describe('SNMPv1 walks: what a v1 agent refuses', () => {
  const columns = Array.from({ length: 6 }, (_, c) => `1.3.6.1.4.1.9.1.${c + 1}`);
  const instances = columns.flatMap((column) => [1, 2, 3].map((row) => `${column}.${row}`));

  it('splits a request the agent finds too big, and ends a column at noSuchName', async () => {
    const agent = v1Agent(instances, 4);
    const rows = await walkColumnsV1(agent.getNext, columns, 16);
    for (const column of columns)
      expect(rows.get(column)!.map((v) => v.oid)).toEqual([1, 2, 3].map((row) => `${column}.${row}`));
    expect(agent.sizes.filter((size) => size > 4).length).toBeGreaterThan(0); // asked, refused
    expect(Math.max(...agent.sizes)).toBe(6);
  });

  it('never sends more than maxVarbinds OIDs in one request', async () => {
    const agent = v1Agent(instances, 100);
    const rows = await walkColumnsV1(agent.getNext, columns, 4);
    expect([...rows.values()].map((list) => list.length)).toEqual([3, 3, 3, 3, 3, 3]);
    expect(Math.max(...agent.sizes)).toBe(4);
  });

  it('passes on any other refusal', async () => {
    const denied = Object.assign(new Error('GenErr'), { name: 'RequestFailedError', status: 5 });
    await expect(walkColumnsV1(() => Promise.reject(denied), columns, 4)).rejects.toBe(denied);
  });
});
