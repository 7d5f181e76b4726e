/**
 * PDU outlets through a real SNMP agent: snmpsim serving an APC rPDU2 data file
 * (test/fixtures/snmpsim/apc-pdu.snmprec) whose readings the tests change between polls.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  readSnmprec,
  SIM_V3,
  simAccess,
  startSnmpsim,
  type SnmprecRecord,
  type SnmpsimServer,
} from '../../helpers/snmpsim.js';
import {
  floatField,
  lastPoll,
  startBridgeHarness,
  type BridgeHarness,
  type RecordedMetric,
} from '../bridge-harness.js';

const FIXTURE = new URL('../../fixtures/snmpsim/apc-pdu.snmprec', import.meta.url).pathname;
const METERED = '1.3.6.1.4.1.318.1.1.26.9.4.3.1';

function fixtureRecords(): SnmprecRecord[] {
  return readSnmprec(FIXTURE);
}

/** The fixture with some outlet columns replaced: `{ 7: { 1: 300 } }` sets outlet 1's power. */
function withReadings(changes: Record<number, Record<number, number>>): SnmprecRecord[] {
  return fixtureRecords().map((record) => {
    for (const [column, outlets] of Object.entries(changes)) {
      for (const [outlet, value] of Object.entries(outlets)) {
        if (record.oid === `${METERED}.${column}.${outlet}`) return { ...record, value };
      }
    }
    return record;
  });
}

/** Another vendor's outlet table, read through the generic outlet profile. */
const GENERIC_BASE = '1.3.6.1.4.1.99999.1.2.1';
const GENERIC: SnmprecRecord[] = [1, 2, 3].flatMap((n) => [
  { oid: `${GENERIC_BASE}.2.${n}`, type: 4, value: `socket-${n}` },
  { oid: `${GENERIC_BASE}.3.${n}`, type: 66, value: 150 * n }, // hundredths of amps (Gauge32)
  { oid: `${GENERIC_BASE}.4.${n}`, type: 66, value: 33 * n }, // watts
  { oid: `${GENERIC_BASE}.5.${n}`, type: 65, value: 1_000_000 * n }, // Wh (Counter32)
]);

const COUNTER32 = '1.3.6.1.4.1.99999.2.1.2';
const COUNTER64 = '1.3.6.1.4.1.99999.2.1.3';
function counters(c32: number, c64: bigint): SnmprecRecord[] {
  return [
    { oid: `${COUNTER32}.1`, type: 65, value: c32 },
    { oid: `${COUNTER64}.1`, type: 70, value: c64 },
  ];
}

let sim: SnmpsimServer;
let harness: BridgeHarness | undefined;

beforeAll(async () => {
  sim = await startSnmpsim(
    { pdu: FIXTURE, generic: GENERIC, counters: counters(2 ** 32 - 100, 2n ** 62n) },
    { v3: SIM_V3 },
  );
});
afterAll(async () => {
  await sim?.stop();
});
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

const OUTLETS = { '1': 'web1', '2': 'web1', '3': 'db1', '4': 'db1' };

describe('SNMP bridge: PDU outlets', () => {
  it('reads APC rPDU2 outlets (amps, watts, kWh scaled), tags each with its machine, and follows changing readings', async () => {
    await sim.write('pdu', fixtureRecords());
    harness = await startBridgeHarness({
      bridges: {
        snmp: {
          devices: [
            {
              name: 'pdu-r1-a',
              host: '127.0.0.1',
              port: sim.port,
              community: 'pdu',
              interval: 250,
              profiles: ['system', 'apc-rpdu2-outlet'],
              outlets: OUTLETS,
            },
          ],
        },
      },
    });
    const h = harness;
    await h.until(() => h.metrics('pdu-r1-a', 'outlet').length >= 8, 'outlet rows');
    const rows = lastPoll(h.metrics('pdu-r1-a', 'outlet'));
    expect(rows).toHaveLength(8);
    const outlet1 = rows.find((m) => m.tags.outlet === '1')!;
    expect(outlet1.tags).toEqual({
      device: 'pdu-r1-a',
      outlet: '1',
      outlet_name: 'web1-psu1',
      machine: 'web1',
    });
    expect(outlet1.fields).toEqual({
      current_a: { type: 'float', value: 1.2 },
      power_w: { type: 'float', value: 260 },
      energy_kwh: { type: 'float', value: 1203.4 },
    });
    // An outlet the machine table does not name has no machine tag.
    expect(rows.find((m) => m.tags.outlet === '5')!.tags.machine).toBeUndefined();
    expect(h.metrics('pdu-r1-a', 'system')[0]!.fields.sys_name).toEqual({
      type: 'string',
      value: 'pdu-r1-a',
    });

    // The per-machine sum the README's recording rule computes: web1 = outlets 1 + 2.
    const machinePower = (poll: RecordedMetric[], machine: string) =>
      poll.filter((m) => m.tags.machine === machine).reduce((sum, m) => sum + floatField(m, 'power_w'), 0);
    expect(machinePower(rows, 'web1')).toBe(500);
    expect(machinePower(rows, 'db1')).toBe(1060);

    // web1's first PSU draws more; energy moves on.
    await sim.write('pdu', withReadings({ 6: { 1: 14 }, 7: { 1: 300 }, 11: { 1: 12041 } }));
    // A poll is several GET requests: one that began before the change may mix old and new values,
    // as with a real device. Wait for a poll that read all three after it.
    await h.until(
      () =>
        lastPoll(h.metrics('pdu-r1-a', 'outlet')).some(
          (m) =>
            m.tags.outlet === '1' &&
            m.fields.power_w?.value === 300 &&
            m.fields.current_a?.value === 1.4 &&
            m.fields.energy_kwh?.value === 1204.1,
        ),
      'a poll with the new readings of outlet 1, scaled',
    );
    const after = lastPoll(h.metrics('pdu-r1-a', 'outlet'));
    const changed = after.find((m) => m.tags.outlet === '1')!;
    expect(floatField(changed, 'current_a')).toBe(1.4);
    expect(floatField(changed, 'energy_kwh')).toBe(1204.1);
    expect(machinePower(after, 'web1')).toBe(540);
  });

  for (const version of ['2c', '1', '3'] as const)
    it(`chooses the APC profiles from sysObjectID (auto) and reads outlets, device totals, phases and banks as the file gives them, over v${version}`, async () => {
      await sim.write('pdu', fixtureRecords());
      const value = (oid: string): number => Number(fixtureRecords().find((r) => r.oid === oid)!.value);
      const A = '1.3.6.1.4.1.318.1.1.26';
      harness = await startBridgeHarness({
        bridges: {
          snmp: {
            statsInterval: 100,
            devices: [
              {
                name: 'apc-auto',
                host: '127.0.0.1',
                port: sim.port,
                ...simAccess(version, 'pdu'),
                interval: 250,
                profiles: ['auto'],
              },
            ],
          },
        },
      });
      const h = harness;
      await h.until(
        () => ['outlet', 'pdu', 'phase', 'bank'].every((m) => h.metrics('apc-auto', m).length > 0),
        'every measurement',
      );
      const outlets = lastPoll(h.metrics('apc-auto', 'outlet'));
      expect(outlets).toHaveLength(8);
      // Every outlet value as the file gives it, over each version (tenths of A, W, tenths of kWh).
      const metered = (column: number, outlet: string) => value(`${METERED}.${column}.${outlet}`);
      for (const outlet of outlets) {
        const n = outlet.tags.outlet!;
        const name = fixtureRecords().find((r) => r.oid === `${METERED}.3.${n}`)!.value;
        expect(outlet.tags).toEqual({ device: 'apc-auto', outlet: n, outlet_name: name });
        expect(outlet.fields).toEqual({
          current_a: { type: 'float', value: metered(6, n) / 10 },
          power_w: { type: 'float', value: metered(7, n) },
          energy_kwh: { type: 'float', value: metered(11, n) / 10 },
        });
      }
      const pdu = h.metrics('apc-auto', 'pdu')[0]!;
      expect(pdu.tags).toEqual({ device: 'apc-auto', pdu: '1', pdu_name: 'pdu-r1-a' });
      expect(floatField(pdu, 'power_w')).toBe(value(`${A}.4.3.1.5.1`) * 10); // hundredths of kW
      expect(floatField(pdu, 'energy_kwh')).toBe(value(`${A}.4.3.1.9.1`) / 10); // tenths of kWh
      expect(floatField(pdu, 'apparent_power_va')).toBe(value(`${A}.4.3.1.16.1`) * 10);
      expect(floatField(pdu, 'power_factor')).toBe(value(`${A}.4.3.1.17.1`) / 100);
      const phase = h.metrics('apc-auto', 'phase')[0]!;
      expect(phase.tags).toEqual({ device: 'apc-auto', phase: '1' });
      expect(floatField(phase, 'current_a')).toBe(value(`${A}.6.3.1.5.1`) / 10);
      expect(floatField(phase, 'voltage_v')).toBe(value(`${A}.6.3.1.6.1`));
      expect(floatField(phase, 'power_w')).toBe(value(`${A}.6.3.1.7.1`) * 10);
      const banks = lastPoll(h.metrics('apc-auto', 'bank'));
      expect(banks.map((m) => [m.tags.bank, floatField(m, 'current_a')])).toEqual([
        ['1', value(`${A}.8.3.1.5.1`) / 10],
        ['2', value(`${A}.8.3.1.5.2`) / 10],
      ]);
      await h.until(
        () =>
          h.stats<{ devices: Record<string, { profiles?: string[] }> }>('snmp')?.devices['apc-auto']
            ?.profiles !== undefined,
        'the chosen profiles in the stats',
      );
      expect(
        h.stats<{ devices: Record<string, { profiles: string[] }> }>('snmp')!.devices['apc-auto']!.profiles,
      ).toEqual(['system', 'apc-rpdu2-outlet', 'apc-rpdu2-totals']);
    });

  it("never publishes APC's -1 (no reading) as a value, and counts it", async () => {
    const A = '1.3.6.1.4.1.318.1.1.26';
    // Outlet 6 has no current or power reading; phase 1 no voltage; the device no power factor.
    const records = withReadings({ 6: { 6: -1 }, 7: { 6: -1 } }).map((record) =>
      record.oid === `${A}.6.3.1.6.1` || record.oid === `${A}.4.3.1.17.1` ? { ...record, value: -1 } : record,
    );
    await sim.write('pdu', records);
    harness = await startBridgeHarness({
      bridges: {
        snmp: {
          statsInterval: 100,
          devices: [
            {
              name: 'apc-na',
              host: '127.0.0.1',
              port: sim.port,
              community: 'pdu',
              interval: 250,
              profiles: ['apc-rpdu2-outlet', 'apc-rpdu2-totals'],
            },
          ],
        },
      },
    });
    const h = harness;
    type Stats = { devices: Record<string, { polls: number; unavailable: number; fieldErrors: number }> };
    await h.until(() => (h.stats<Stats>('snmp')?.devices['apc-na']?.polls ?? 0) >= 2, 'two polls');
    await h.until(() => h.metrics('apc-na', 'phase').length > 0, 'the phase');
    const outlet6 = lastPoll(h.metrics('apc-na', 'outlet')).find((m) => m.tags.outlet === '6')!;
    expect(outlet6.fields).toEqual({
      energy_kwh: {
        type: 'float',
        value: Number(records.find((r) => r.oid === `${METERED}.11.6`)!.value) / 10,
      },
    });
    const phase = h.metrics('apc-na', 'phase').at(-1)!;
    expect(Object.keys(phase.fields).sort()).toEqual(['current_a', 'power_w']);
    expect(Object.keys(h.metrics('apc-na', 'pdu').at(-1)!.fields)).not.toContain('power_factor');
    // Nothing anywhere carries the -1 scaled into a value (-0.1 A, -10 W, -0.01).
    for (const metric of h.metrics('apc-na'))
      for (const field of Object.values(metric.fields)) expect(field.value).toBeGreaterThanOrEqual(0);
    const stats = h.stats<Stats>('snmp')!.devices['apc-na']!;
    // Four readings of -1 in each poll; none of them is an error.
    expect(stats.unavailable).toBeGreaterThanOrEqual(4);
    expect(stats.unavailable % 4).toBe(0);
    expect(stats.fieldErrors).toBe(0);
  });

  it('reads any PDU through the generic outlet profile, with the column OIDs and scales the user gives', async () => {
    const base = GENERIC_BASE;
    harness = await startBridgeHarness({
      bridges: {
        snmp: {
          devices: [
            {
              name: 'gen-pdu',
              host: '127.0.0.1',
              port: sim.port,
              community: 'generic',
              interval: 250,
              outlets: { '2': 'nas1' },
              profiles: [
                {
                  outlet: {
                    name: `${base}.2`,
                    current: { oid: `${base}.3`, scale: 0.01 },
                    power: { oid: `${base}.4` },
                    energy: { oid: `${base}.5`, scale: 0.001 },
                  },
                },
              ],
            },
          ],
        },
      },
    });
    const h = harness;
    await h.until(() => h.metrics('gen-pdu', 'outlet').length >= 3, 'generic outlet rows');
    const second = lastPoll(h.metrics('gen-pdu', 'outlet')).find((m) => m.tags.outlet === '2')!;
    expect(second.tags).toEqual({ device: 'gen-pdu', outlet: '2', outlet_name: 'socket-2', machine: 'nas1' });
    expect(second.fields).toEqual({
      current_a: { type: 'float', value: 3 },
      power_w: { type: 'float', value: 66 },
      energy_kwh: { type: 'float', value: 2000 },
    });
  });

  it('turns counters into rates across a Counter32 wrap and a Counter64 step, as read from the agent', async () => {
    const col32 = COUNTER32;
    const col64 = COUNTER64;
    harness = await startBridgeHarness({
      bridges: {
        snmp: {
          devices: [
            {
              name: 'ctr',
              host: '127.0.0.1',
              port: sim.port,
              community: 'counters',
              interval: 500,
              walks: [
                {
                  measurement: 'traffic',
                  columns: [
                    { oid: col32, name: 'octets32_per_s', rate: true },
                    { oid: col64, name: 'octets64_per_s', rate: true },
                  ],
                },
              ],
            },
          ],
        },
      },
    });
    const h = harness;
    await h.until(() => h.metrics('ctr', 'traffic').length >= 1, 'a rate (second poll)');
    expect(floatField(h.metrics('ctr', 'traffic')[0]!, 'octets32_per_s')).toBe(0);
    await sim.write('counters', counters(50, 2n ** 62n + 3_000n));
    await h.until(
      () => h.metrics('ctr', 'traffic').some((m) => (m.fields.octets32_per_s?.value as number) > 0),
      'rate after the wrap',
    );
    const traffic = h.metrics('ctr', 'traffic');
    const index = traffic.findIndex((m) => (m.fields.octets32_per_s?.value as number) > 0);
    const seconds = Number(traffic[index]!.timestamp! - traffic[index - 1]!.timestamp!) / 1e9;
    // 100 increments up to 2^32-1, then 50 past zero: 150, not a negative or 4-billion jump.
    // The rate uses the response times, the metric timestamps the poll start; on a loaded machine
    // the two can differ by as much as the interval, so allow a factor of 3: the failure this guards
    // against is a negative or 4-billion jump, orders of magnitude away.
    expect(floatField(traffic[index]!, 'octets32_per_s') * seconds).toBeGreaterThan(50);
    expect(floatField(traffic[index]!, 'octets32_per_s') * seconds).toBeLessThan(450);
    expect(floatField(traffic[index]!, 'octets64_per_s') * seconds).toBeGreaterThan(1_000);
    expect(floatField(traffic[index]!, 'octets64_per_s') * seconds).toBeLessThan(9_000);
  });
});
