/**
 * Eaton ePDU (EATON-EPDU-MIB) and ServerTech Sentry4 (Sentry4-MIB) through snmpsim, over v1, v2c
 * and v3 (authPriv), each device left to `profiles: [auto]`. The data files were written from the
 * MIBs (test/fixtures/snmpsim/eaton-epdu.snmprec, sentry4.snmprec): outlets with names, empty
 * outlets, readings the unit does not have (-1), inputs, phases, banks and branches. Every published
 * value is checked against the file, through this test's own reading of the MIB's columns and units.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readSnmprec, SIM_V3, simAccess, startSnmpsim, type SnmpsimServer } from '../../helpers/snmpsim.js';
import { lastPoll, startBridgeHarness, type BridgeHarness } from '../bridge-harness.js';

const fixture = (name: string) => new URL(`../../fixtures/snmpsim/${name}.snmprec`, import.meta.url).pathname;

interface Table {
  readonly measurement: string;
  readonly indexTags: readonly string[];
  /** Field → [column OID, multiplier to the published unit]. */
  readonly fields: Record<string, readonly [string, number]>;
  /** Tag → column OID whose text it carries. */
  readonly tags?: Record<string, string>;
}

interface Vendor {
  readonly name: string;
  readonly profiles: string[];
  readonly tables: readonly Table[];
}

const E = '1.3.6.1.4.1.534.6.6.7';
const eaton: Vendor = {
  name: 'eaton-epdu',
  profiles: ['system', 'eaton-epdu-outlet', 'eaton-epdu-totals'],
  tables: [
    {
      measurement: 'outlet',
      indexTags: ['pdu', 'outlet'],
      tags: { outlet_name: `${E}.6.1.1.3` }, // outletName
      fields: {
        current_a: [`${E}.6.4.1.3`, 0.001], // outletCurrent, mA
        voltage_v: [`${E}.6.3.1.2`, 0.001], // outletVoltage, mV
        power_w: [`${E}.6.5.1.3`, 1], // outletWatts
        apparent_power_va: [`${E}.6.5.1.2`, 1], // outletVA
        energy_kwh: [`${E}.6.5.1.4`, 0.001], // outletWh
      },
    },
    {
      measurement: 'inlet',
      indexTags: ['pdu', 'inlet'],
      fields: {
        power_w: [`${E}.3.5.1.4`, 1], // inputTotalWatts
        apparent_power_va: [`${E}.3.5.1.3`, 1], // inputTotalVA
        energy_kwh: [`${E}.3.5.1.5`, 0.001], // inputTotalWh
      },
    },
    {
      measurement: 'phase',
      indexTags: ['pdu', 'inlet', 'phase'],
      fields: {
        current_a: [`${E}.3.3.1.4`, 0.001], // inputCurrent
        voltage_v: [`${E}.3.2.1.3`, 0.001], // inputVoltage
      },
    },
    {
      measurement: 'bank',
      indexTags: ['pdu', 'bank'],
      tags: { bank_name: `${E}.5.1.1.3` }, // groupName
      fields: {
        current_a: [`${E}.5.4.1.3`, 0.001], // groupCurrent
        voltage_v: [`${E}.5.3.1.3`, 0.001], // groupVoltage
        power_w: [`${E}.5.5.1.3`, 1], // groupWatts
        energy_kwh: [`${E}.5.5.1.4`, 0.001], // groupWh
      },
    },
  ],
};

const S = '1.3.6.1.4.1.1718.4.1';
const sentry4: Vendor = {
  name: 'sentry4',
  profiles: ['system', 'sentry4-outlet', 'sentry4-totals'],
  tables: [
    {
      measurement: 'outlet',
      indexTags: ['pdu', 'inlet', 'outlet'],
      tags: { outlet_name: `${S}.8.2.1.3` }, // st4OutletName
      fields: {
        current_a: [`${S}.8.3.1.3`, 0.01], // st4OutletCurrent, hundredth Amps
        voltage_v: [`${S}.8.3.1.6`, 0.1], // st4OutletVoltage, tenth Volts
        power_w: [`${S}.8.3.1.7`, 1], // st4OutletActivePower, Watts
        apparent_power_va: [`${S}.8.3.1.9`, 1], // st4OutletApparentPower, Volt-Amps
        power_factor: [`${S}.8.3.1.10`, 0.01], // st4OutletPowerFactor, hundredths
        energy_kwh: [`${S}.8.3.1.14`, 0.001], // st4OutletEnergy, Watt-Hours
      },
    },
    {
      measurement: 'inlet',
      indexTags: ['pdu', 'inlet'],
      tags: { inlet_name: `${S}.3.2.1.3` }, // st4InputCordName
      fields: {
        power_w: [`${S}.3.3.1.3`, 1],
        apparent_power_va: [`${S}.3.3.1.5`, 1],
        power_factor: [`${S}.3.3.1.8`, 0.01],
        energy_kwh: [`${S}.3.3.1.10`, 0.1], // tenth Kilowatt-Hours
      },
    },
    {
      measurement: 'phase',
      indexTags: ['pdu', 'inlet', 'phase'],
      fields: {
        voltage_v: [`${S}.5.3.1.3`, 0.1],
        current_a: [`${S}.5.3.1.6`, 0.01],
        power_w: [`${S}.5.3.1.8`, 1],
        apparent_power_va: [`${S}.5.3.1.9`, 1],
        power_factor: [`${S}.5.3.1.10`, 0.01],
        energy_kwh: [`${S}.5.3.1.13`, 0.1],
      },
    },
    {
      measurement: 'branch',
      indexTags: ['pdu', 'inlet', 'branch'],
      fields: { current_a: [`${S}.7.3.1.3`, 0.01] },
    },
  ],
};

interface Row {
  tags: Record<string, string>;
  fields: Record<string, number>;
}

/** What the data file says each table's rows are: -1 is "not available" and no field. */
function expectedRows(vendor: Vendor, table: Table): Map<string, Row> {
  const records = readSnmprec(fixture(vendor.name));
  const rows = new Map<string, Row>();
  for (const [field, [oid, scale]] of Object.entries(table.fields)) {
    for (const record of records.filter((r) => r.oid.startsWith(`${oid}.`))) {
      const index = record.oid.slice(oid.length + 1);
      const raw = Number(record.value);
      if (raw === -1) continue;
      const row = rows.get(index) ?? {
        tags: Object.fromEntries(table.indexTags.map((tag, i) => [tag, index.split('.')[i]!])),
        fields: {},
      };
      row.fields[field] = raw * scale;
      rows.set(index, row);
    }
  }
  for (const [tag, oid] of Object.entries(table.tags ?? {}))
    for (const [index, row] of rows) {
      const text = records.find((r) => r.oid === `${oid}.${index}`)?.value;
      if (text) row.tags[tag] = String(text);
    }
  return rows;
}

let sim: SnmpsimServer;
let harness: BridgeHarness | undefined;
beforeAll(async () => {
  sim = await startSnmpsim(
    { 'eaton-epdu': fixture('eaton-epdu'), sentry4: fixture('sentry4') },
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

type Stats = {
  devices: Record<string, { polls: number; profiles?: string[]; fieldErrors: number; indexErrors: number }>;
};

describe('SNMP bridge: Eaton ePDU and ServerTech Sentry4 profiles', () => {
  for (const vendor of [eaton, sentry4]) {
    for (const version of ['1', '2c', '3'] as const) {
      it(`${vendor.name} over v${version}: auto picks its profiles and every value matches the data file`, async () => {
        const device = `${vendor.name}-v${version.replace('c', '')}`;
        harness = await startBridgeHarness({
          bridges: {
            snmp: {
              statsInterval: 100,
              devices: [
                {
                  name: device,
                  host: '127.0.0.1',
                  port: sim.port,
                  ...simAccess(version, vendor.name),
                  interval: 400,
                  timeout: '3s',
                  profiles: ['auto'],
                  machineFromName: '^(?<machine>.+)-psu[0-9AB]+$',
                },
              ],
            },
          },
        });
        const h = harness;
        await h.until(
          () => vendor.tables.every((table) => h.metrics(device, table.measurement).length > 0),
          'every measurement',
        );
        await h.until(() => (h.stats<Stats>('snmp')?.devices[device]?.polls ?? 0) >= 2, 'stats');
        const stats = h.stats<Stats>('snmp')!.devices[device]!;
        expect(stats.profiles).toEqual(vendor.profiles);
        expect(stats).toMatchObject({ fieldErrors: 0, indexErrors: 0 });

        for (const table of vendor.tables) {
          const expected = expectedRows(vendor, table);
          const published = lastPoll(h.metrics(device, table.measurement));
          expect(published.length, table.measurement).toBe(expected.size);
          for (const row of expected.values()) {
            const metric = published.find((m) =>
              table.indexTags.every((tag) => m.tags[tag] === row.tags[tag]),
            )!;
            expect(metric, `${table.measurement} ${JSON.stringify(row.tags)}`).toBeDefined();
            const { machine, ...tags } = metric.tags;
            expect(tags).toEqual({ device, ...row.tags });
            if (table.measurement === 'outlet') {
              const name = row.tags.outlet_name ?? '';
              expect(machine).toBe(/^(?<machine>.+)-psu[0-9AB]+$/.exec(name)?.groups?.machine);
            }
            expect(Object.keys(metric.fields).sort()).toEqual(Object.keys(row.fields).sort());
            for (const [field, value] of Object.entries(row.fields))
              expect(metric.fields[field]!.value as number).toBeCloseTo(value, 9);
          }
        }
        expect(h.metrics(device, 'system')[0]!.fields.sys_name!.value).toBe(
          vendor === eaton ? 'epdu-r3-a' : 'sentry-r4-b',
        );
      });
    }
  }

  it('spot checks in plain numbers', () => {
    // Eaton outlet 1: 812 mA, 230.412 V, 1,520,334 Wh; Sentry4 outlet 12 has no reading at all.
    const eatonOutlet = expectedRows(eaton, eaton.tables[0]!).get('0.1')!;
    expect(eatonOutlet.fields).toMatchObject({ current_a: 0.812, power_w: 178 });
    expect(eatonOutlet.fields.energy_kwh).toBeCloseTo(1520.334, 9);
    const sentryOutlets = expectedRows(sentry4, sentry4.tables[0]!);
    expect(sentryOutlets.has('1.1.12')).toBe(false);
    expect(Object.keys(sentryOutlets.get('1.1.5')!.fields)).not.toContain('power_factor');
  });
});
