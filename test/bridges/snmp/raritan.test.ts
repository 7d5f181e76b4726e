/**
 * Raritan PX3 (PDU2-MIB) through snmpsim: a data file written from the MIB
 * (test/fixtures/snmpsim/raritan-px3.snmprec), whose readings sit in one column indexed
 * pduId.outletId.sensorType with their decimal digits in another. The published values are checked
 * against the file; a profile whose index does not fit the table is reported, not published.
 */
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SIM_V3, simAccess, startSnmpsim, type SnmpsimServer } from '../../helpers/snmpsim.js';
import { floatField, lastPoll, startBridgeHarness, type BridgeHarness } from '../bridge-harness.js';

const FIXTURE = new URL('../../fixtures/snmpsim/raritan-px3.snmprec', import.meta.url).pathname;
const RARITAN = '1.3.6.1.4.1.13742.6';
const OUTLET_NAME = `${RARITAN}.3.5.3.1.3`;

const records = new Map(
  readFileSync(FIXTURE, 'utf8')
    .trim()
    .split('\n')
    .map((line) => {
      const [oid, , ...value] = line.split('|');
      return [oid!, value.join('|')] as const;
    }),
);

/** What the file says a sensor reads: the raw value over 10^digits. */
function reading(kind: 'outlet' | 'inlet', index: string, sensorType: number): number {
  const [digits, value] =
    kind === 'outlet'
      ? [`${RARITAN}.3.5.4.1.7.${index}.${sensorType}`, `${RARITAN}.5.4.3.1.4.${index}.${sensorType}`]
      : [`${RARITAN}.3.3.4.1.7.${index}.${sensorType}`, `${RARITAN}.5.2.3.1.4.${index}.${sensorType}`];
  return Number(records.get(value)) / 10 ** Number(records.get(digits));
}

const outletIndexes = [...records.keys()]
  .filter((oid) => oid.startsWith(`${OUTLET_NAME}.`))
  .map((oid) => oid.slice(OUTLET_NAME.length + 1));

/** The machine each outlet feeds, as the names in the data file give it, and outlet 7 by table. */
const MACHINES: Record<string, string> = {
  '1': 'web-01',
  '2': 'web-01',
  '3': 'db-01',
  '5': 'db-01',
  '7': 'nas-02-spare-feed',
};

let sim: SnmpsimServer;
let harness: BridgeHarness | undefined;

beforeAll(async () => {
  sim = await startSnmpsim({ px3: FIXTURE }, { v3: SIM_V3 });
});
afterAll(async () => {
  await sim?.stop();
});
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

type Stats = { devices: Record<string, { polls: number; indexErrors: number; fieldErrors: number }> };

describe('SNMP bridge: Raritan PX2/PX3 (PDU2-MIB)', () => {
  for (const version of ['2c', '1', '3'] as const) {
    it(`reads outlets and inlets by sensor type with their decimal digits, over v${version}`, async () => {
      expect(outletIndexes).toHaveLength(8);
      harness = await startBridgeHarness({
        bridges: {
          snmp: {
            statsInterval: 100,
            devices: [
              {
                name: 'px3',
                host: '127.0.0.1',
                port: sim.port,
                ...simAccess(version, 'px3'),
                interval: 300,
                profiles: ['raritan-px-outlet', 'raritan-px-inlet'],
                // Machines from the outlet names; the explicit table wins where both apply.
                machineFromName: '^(?<machine>.+)-psu[0-9AB]+$',
                outlets: { '7': 'nas-02-spare-feed' },
              },
            ],
          },
        },
      });
      const h = harness;
      await h.until(() => lastPoll(h.metrics('px3', 'outlet')).length === 8, 'eight outlet rows');
      const rows = lastPoll(h.metrics('px3', 'outlet'));
      for (const index of outletIndexes) {
        const outlet = index.split('.')[1]!;
        const row = rows.find((m) => m.tags.outlet === outlet)!;
        const name = records.get(`${OUTLET_NAME}.${index}`)!;
        expect(row.tags).toEqual({
          device: 'px3',
          pdu: '1',
          outlet,
          ...(name !== '' && { outlet_name: name }),
          ...(MACHINES[outlet] !== undefined && { machine: MACHINES[outlet] }),
        });
        expect(Object.keys(row.fields).sort()).toEqual(
          ['apparent_power_va', 'current_a', 'energy_kwh', 'power_factor', 'power_w', 'voltage_v'].sort(),
        );
        expect(floatField(row, 'current_a')).toBeCloseTo(reading('outlet', index, 1), 9);
        expect(floatField(row, 'voltage_v')).toBeCloseTo(reading('outlet', index, 4), 9);
        expect(floatField(row, 'power_w')).toBeCloseTo(reading('outlet', index, 5), 9);
        expect(floatField(row, 'apparent_power_va')).toBeCloseTo(reading('outlet', index, 6), 9);
        expect(floatField(row, 'power_factor')).toBeCloseTo(reading('outlet', index, 7), 9);
        expect(floatField(row, 'energy_kwh')).toBeCloseTo(reading('outlet', index, 8) / 1000, 9);
      }
      // Spot checks in plain numbers: 1234 mA at 3 digits, 1,234,567 Wh; an empty outlet reads 0.
      const first = rows.find((m) => m.tags.outlet === '1')!;
      expect(floatField(first, 'current_a')).toBe(1.234);
      expect(floatField(first, 'energy_kwh')).toBe(1234.567);
      expect(
        floatField(
          rows.find((m) => m.tags.outlet === '4')!,
          'power_w',
        ),
      ).toBe(0);

      await h.until(() => h.metrics('px3', 'inlet').length >= 1, 'the inlet');
      const inlet = h.metrics('px3', 'inlet')[0]!;
      expect(inlet.tags).toEqual({ device: 'px3', pdu: '1', inlet: '1' });
      expect(floatField(inlet, 'current_a')).toBe(12.551);
      expect(floatField(inlet, 'power_factor')).toBe(0.94);
      expect(floatField(inlet, 'energy_kwh')).toBe(13_596.401);
      await h.until(() => (h.stats<Stats>('snmp')?.devices.px3?.polls ?? 0) >= 2, 'stats');
      expect(h.stats<Stats>('snmp')!.devices.px3).toMatchObject({ indexErrors: 0, fieldErrors: 0 });
    });
  }

  it('chooses the Raritan profiles from sysObjectID (auto)', async () => {
    harness = await startBridgeHarness({
      bridges: {
        snmp: {
          devices: [
            {
              name: 'px3-auto',
              host: '127.0.0.1',
              port: sim.port,
              community: 'px3',
              interval: 300,
              profiles: ['auto'],
            },
          ],
        },
      },
    });
    const h = harness;
    await h.until(
      () =>
        lastPoll(h.metrics('px3-auto', 'outlet')).length === 8 && h.metrics('px3-auto', 'inlet').length > 0,
      'outlets and the inlet',
    );
    expect(h.metrics('px3-auto', 'system')[0]!.fields.sys_name).toEqual({
      type: 'string',
      value: 'px3-r2-b',
    });
    expect(
      h.busbar.log.find('SNMP device px3-auto: profiles system, raritan-px-outlet, raritan-px-inlet'),
    ).toHaveLength(1);
  });

  it('reports, and does not publish, rows of a table whose index does not fit the profile', async () => {
    harness = await startBridgeHarness({
      bridges: {
        snmp: {
          statsInterval: 100,
          devices: [
            {
              name: 'px3-generic',
              host: '127.0.0.1',
              port: sim.port,
              community: 'px3',
              interval: 300,
              // The generic outlet profile expects one sub-identifier per row; PDU2-MIB has three.
              profiles: [{ outlet: { name: OUTLET_NAME, power: { oid: `${RARITAN}.5.4.3.1.4` } } }],
            },
          ],
        },
      },
    });
    const h = harness;
    await h.until(
      () => (h.stats<Stats>('snmp')?.devices['px3-generic']?.indexErrors ?? 0) > 0,
      'index errors',
    );
    const stats = h.stats<Stats>('snmp')!.devices['px3-generic']!;
    // Every instance of the column (8 outlets × 7 sensor types) is refused in each poll.
    expect(stats.indexErrors % 56).toBe(0);
    expect(h.metrics('px3-generic', 'outlet')).toEqual([]);
    const logged = h.busbar.log.find(`${RARITAN}.5.4.3.1.4.1.1.5 (outlet.power_w): index 1.1.5 has 3`);
    expect(logged.length).toBe(1);
  });
});
