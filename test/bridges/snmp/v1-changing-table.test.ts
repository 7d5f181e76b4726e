/**
 * A poller's SNMPv1 session, which asks about the rows its previous poll found (v1-known-rows.ts),
 * publishes what a first poll (a plain walk) publishes while the agent's outlet table changes
 * between polls: values changed, outlets removed at the start, middle and end, added between and
 * after, the table emptied and filled again. The agent is net-snmp's, in the test, over UDP, with
 * the rPDU2 outlet table the `apc-rpdu2-outlet` profile reads; a relay counts the requests.
 */
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import * as snmp from 'net-snmp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../config/load.js';
import { buildPlan } from '../../../bridges/snmp/plan.js';
import { pollDevice } from '../../../bridges/snmp/poll.js';
import { RateTracker } from '../../../bridges/snmp/rates.js';
import { openSession, type SnmpClient } from '../../../bridges/snmp/session.js';
import { startUdpRelay, type UdpRelay } from '../../helpers/udp-relay.js';

const TABLE = 'outlets';

/** A UDP port nobody uses now (net-snmp's agent takes no port 0). */
async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  const { port } = socket.address();
  socket.close();
  return port;
}

/** The part of net-snmp's agent (untyped in @types/net-snmp) this test uses. */
interface Agent {
  getAuthorizer(): { addCommunity(community: string): void };
  getMib(): {
    registerProvider(provider: object): void;
    addTableRow(table: string, row: unknown[]): void;
    deleteTableRow(table: string, index: unknown[]): void;
  };
  close(): void;
}

let agent: Agent;
let present: readonly number[] = [];
let relay: UdpRelay;
let agentPort: number;

beforeAll(async () => {
  agentPort = await freeUdpPort();
  agent = snmp.createAgent({ port: agentPort, address: '127.0.0.1' }, () => undefined) as Agent;
  agent.getAuthorizer().addCommunity('pdu');
  const column = (number: number, name: string, type: snmp.ObjectType) => ({
    number,
    name,
    type,
    maxAccess: snmp.MaxAccess['read-only'],
  });
  // rPDU2OutletMeteredStatusEntry: index 1, name 3, current 6, power 7, energy 11.
  agent.getMib().registerProvider({
    name: TABLE,
    type: snmp.MibProviderType.Table,
    oid: '1.3.6.1.4.1.318.1.1.26.9.4.3.1',
    maxAccess: snmp.MaxAccess['not-accessible'],
    tableColumns: [
      column(1, 'index', snmp.ObjectType.Integer),
      column(3, 'name', snmp.ObjectType.OctetString),
      column(6, 'current', snmp.ObjectType.Integer),
      column(7, 'power', snmp.ObjectType.Integer),
      column(11, 'energy', snmp.ObjectType.Integer),
    ],
    tableIndex: [{ columnName: 'index' }],
  });
  relay = await startUdpRelay(agentPort);
});

afterAll(() => {
  relay?.close();
  agent?.close();
});

/** Outlets `rows` (and no others), valued from `base`. */
function setOutlets(rows: readonly number[], base: number): void {
  const mib = agent.getMib();
  for (const n of present) mib.deleteTableRow(TABLE, [n]);
  for (const n of rows) mib.addTableRow(TABLE, [n, `host-${n}-psu1`, base + n, 10 * (base + n), 1000 + n]);
  present = rows;
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

const device = () =>
  parseConfig(
    {
      bridges: {
        snmp: {
          devices: [
            {
              name: 'pdu',
              host: '127.0.0.1',
              port: relay.port,
              community: 'pdu',
              version: '1',
              profiles: ['apc-rpdu2-outlet'],
            },
          ],
        },
      },
    },
    { env: {} },
  ).bridges.snmp!.devices[0]!;

/** One poll: the outlets as published (tags and fields, by outlet) and the requests it took. */
async function poll(client: SnmpClient) {
  const config = device();
  const before = relay.requests();
  const result = await pollDevice(config, buildPlan(config), client, new RateTracker());
  const outlets = result.metrics
    .map((m) => ({ tags: m.tags, fields: m.fields }))
    .sort((a, b) => Number(a.tags.outlet) - Number(b.tags.outlet));
  return { outlets, problems: result.problems, requests: relay.requests() - before };
}

/** A poll by a session that knows nothing yet: a walk. */
async function walked() {
  const client = openSession(device(), { retries: 1 });
  try {
    return await poll(client);
  } finally {
    client.close();
  }
}

describe('SNMPv1 polls from known rows while the agent changes its table', () => {
  it('publishes what a walk publishes, poll after poll', async () => {
    const steps: [string, number[], number][] = [
      ['24 outlets', range(1, 24), 0],
      ['values changed', range(1, 24), 50],
      ['outlets 1, 12 and 24 gone', [...range(2, 11), ...range(13, 23)], 50],
      ['outlet 12 back, 25 and 26 added', range(2, 26), 60],
      ['no outlets', [], 0],
      ['outlets again', range(1, 24), 70],
    ];
    const client = openSession(device(), { retries: 1 });
    try {
      for (const [step, rows, base] of steps) {
        setOutlets(rows, base);
        const fromKnown = await poll(client);
        const walk = await walked();
        expect({ step, outlets: fromKnown.outlets }).toEqual({ step, outlets: walk.outlets });
        expect(fromKnown.outlets.map((o) => o.tags.outlet)).toEqual(rows.map(String));
        const first = fromKnown.outlets[0];
        if (first)
          expect(first).toMatchObject({
            tags: { outlet_name: `host-${rows[0]}-psu1` },
            fields: { power_w: { value: 10 * (base + rows[0]!) } },
          });
      }
    } finally {
      client.close();
    }
  });

  it('takes a few requests instead of one per row once it knows the rows', async () => {
    setOutlets(range(1, 24), 0);
    const client = openSession(device(), { retries: 1 });
    try {
      const first = await poll(client);
      const second = await poll(client);
      expect(second.outlets).toEqual(first.outlets);
      expect(second.problems).toEqual([]);
      // First: a GETNEXT per row for the 4 columns, and one to find their end. Then each column
      // asked from itself and its 24 rows, 100 OIDs, 16 per request: 7 requests.
      expect(first.requests).toBeGreaterThanOrEqual(25);
      expect(second.requests).toBeLessThanOrEqual(8);
    } finally {
      client.close();
    }
  });
});
