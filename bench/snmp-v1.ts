/**
 * Polls of a 24-outlet APC rPDU2 data file served by snmpsimd (`apc-rpdu2-outlet` +
 * `apc-rpdu2-totals`: 8 columns), in the same run, through a UDP relay that counts the requests:
 * the median time of a whole poll and the requests per poll over
 *  - v2c as the bridge polls (columns sharing each GETBULK), and v2c with a GETBULK walk per column
 *    (as it polled before: net-snmp's subtree walk of each column, 8 at a time);
 *  - v1 as the bridge polls: the columns sharing each GETNEXT, the rows found by the previous poll
 *    asked about up front, 16 OIDs per request and up to 8 requests at once (v1-known-rows.ts);
 *  - v1 walking the table as a session's first poll does (a GETNEXT per row, the columns sharing it):
 *    a new session for each poll;
 *  - v1 with one OID per GETNEXT (`maxVarbinds: 1`).
 * and the ratio of the v1 and v2c medians of this run, which is what the bridge promises (v1 within
 * 2× of v2c), measured on the same machine under the same load.
 *
 * On loopback a request costs the agent's work only; `--rtt N` has the relay hold each answer N ms,
 * as a device across a network would, where requests sent together share their wait.
 *
 *   npm run bench:snmp [-- --polls N] [--rtt MS]   (or BENCH_POLLS, BENCH_RTT; needs snmpsimd)
 */
import { performance } from 'node:perf_hooks';
import { parseConfig } from '../config/load.js';
import { buildPlan } from '../bridges/snmp/plan.js';
import { pollDevice } from '../bridges/snmp/poll.js';
import { RateTracker } from '../bridges/snmp/rates.js';
import { openSession, type SnmpClient } from '../bridges/snmp/session.js';
import type { Varbind } from '../bridges/snmp/values.js';
import { startSnmpsim, type SnmprecRecord } from '../test/helpers/snmpsim.js';
import { startUdpRelay } from '../test/helpers/udp-relay.js';
import { median } from './report.js';

const OUTLETS = 24;
const A = '1.3.6.1.4.1.318.1.1.26';

function records(): SnmprecRecord[] {
  const out: SnmprecRecord[] = [
    { oid: '1.3.6.1.2.1.1.2.0', type: 6, value: '1.3.6.1.4.1.318.1.3.4.5' },
    { oid: `${A}.4.3.1.3.1`, type: 4, value: 'bench-pdu' },
    { oid: `${A}.4.3.1.5.1`, type: 2, value: 250 },
    { oid: `${A}.4.3.1.9.1`, type: 2, value: 123456 },
    { oid: `${A}.4.3.1.16.1`, type: 2, value: 260 },
    { oid: `${A}.4.3.1.17.1`, type: 2, value: 96 },
    { oid: `${A}.6.3.1.5.1`, type: 2, value: 108 },
    { oid: `${A}.6.3.1.6.1`, type: 2, value: 231 },
    { oid: `${A}.6.3.1.7.1`, type: 2, value: 250 },
  ];
  for (const bank of [1, 2]) out.push({ oid: `${A}.8.3.1.5.${bank}`, type: 2, value: 50 + bank });
  for (let n = 1; n <= OUTLETS; n++) {
    out.push({ oid: `${A}.9.4.3.1.3.${n}`, type: 4, value: `host-${n}-psu1` });
    out.push({ oid: `${A}.9.4.3.1.6.${n}`, type: 2, value: 10 + n });
    out.push({ oid: `${A}.9.4.3.1.7.${n}`, type: 2, value: 100 + n });
    out.push({ oid: `${A}.9.4.3.1.11.${n}`, type: 2, value: 10_000 + n });
  }
  return out;
}

/** `client` walking each column on its own (net-snmp's subtree walk), `inFlight` at once: how v2c polled before. */
function walkPerColumn(client: SnmpClient): SnmpClient {
  return {
    ...client,
    async walkColumns(columnOids, inFlight) {
      const rows = new Map<string, Varbind[]>();
      const queue = [...new Set(columnOids)];
      const worker = async (): Promise<void> => {
        for (let oid = queue.shift(); oid !== undefined; oid = queue.shift())
          rows.set(oid, await client.walk(oid));
      };
      await Promise.all(Array.from({ length: Math.min(inFlight, queue.length) }, worker));
      return rows;
    },
  };
}

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const text = index >= 0 ? process.argv[index + 1] : process.env[`BENCH_${name.toUpperCase()}`];
  return text === undefined ? fallback : Number(text);
}

async function main(): Promise<void> {
  const polls = option('polls', 15);
  const rtt = option('rtt', 0);
  const sim = await startSnmpsim({ bench: records() });
  try {
    console.log(
      `SNMP poll of a ${OUTLETS}-outlet rPDU2 (outlets, totals, phases, banks): median of ${polls} polls${rtt > 0 ? `, ${rtt} ms round trip` : ''}`,
    );
    const modes = [
      { key: 'v2c', version: '2c', maxVarbinds: 16, perColumn: false },
      { key: 'v2c, walk per column', version: '2c', maxVarbinds: 16, perColumn: true },
      { key: 'v1', version: '1', maxVarbinds: 16, perColumn: false },
      { key: 'v1, walk (1st poll)', version: '1', maxVarbinds: 16, perColumn: false, fresh: true },
      { key: 'v1, 1 OID/request', version: '1', maxVarbinds: 1, perColumn: false },
    ] as { key: string; version: '1' | '2c'; maxVarbinds: number; perColumn: boolean; fresh?: boolean }[];
    const results: Record<string, number> = {};
    const requests: Record<string, number> = {};
    for (const mode of modes) {
      const relay = await startUdpRelay(sim.port, { delayMs: rtt });
      const device = parseConfig(
        {
          bridges: {
            snmp: {
              devices: [
                {
                  name: 'bench',
                  host: '127.0.0.1',
                  port: relay.port,
                  community: 'bench',
                  version: mode.version,
                  maxVarbinds: mode.maxVarbinds,
                  profiles: ['apc-rpdu2-outlet', 'apc-rpdu2-totals'],
                },
              ],
            },
          },
        },
        { env: {} },
      ).bridges.snmp!.devices[0]!;
      const plan = buildPlan(device);
      let session = openSession(device, { retries: 1 });
      const times: number[] = [];
      let sent = 0;
      try {
        for (let i = 0; i < polls + 2; i++) {
          if (i === 2) sent = relay.requests(); // two warm-up polls
          if (mode.fresh) {
            session.close();
            session = openSession(device, { retries: 1 });
          }
          const client = mode.perColumn ? walkPerColumn(session) : session;
          const started = performance.now();
          const result = await pollDevice(device, plan, client, new RateTracker());
          if (i >= 2) times.push(performance.now() - started); // two warm-up polls
          if (result.metrics.length !== OUTLETS + 4 || result.problems.length > 0)
            throw new Error(
              `unexpected poll: ${result.metrics.length} metrics, ${result.problems.join('; ')}`,
            );
        }
        requests[mode.key] = (relay.requests() - sent) / polls;
      } finally {
        session.close();
        relay.close();
      }
      results[mode.key] = median(times);
      console.log(
        `  ${mode.key.padEnd(21)} median ${median(times).toFixed(1)} ms (min ${Math.min(...times).toFixed(1)}, max ${Math.max(...times).toFixed(1)}), ${requests[mode.key]!.toFixed(1)} requests/poll`,
      );
    }
    const before = 'v2c, walk per column';
    console.log(
      `  v2c in step / walk per column: time ${(results.v2c! / results[before]!).toFixed(2)}, requests ${(requests.v2c! / requests[before]!).toFixed(2)}`,
    );
    for (const key of ['v1', 'v1, walk (1st poll)', 'v1, 1 OID/request'])
      console.log(`  ${key} / v2c = ${(results[key]! / results.v2c!).toFixed(2)}`);
    const ratio = results.v1! / results.v2c!;
    console.log(`v1 polls within ${ratio.toFixed(2)}× of v2c (target: 2×)${ratio > 2 ? ': MISSED' : ''}`);
  } finally {
    await sim.stop();
  }
}

await main();
