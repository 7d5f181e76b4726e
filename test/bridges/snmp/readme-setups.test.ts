/**
 * The APC and Raritan setups bridges/snmp/README.md shows ("Two PDUs in a few lines") run as
 * written, with only the address, credentials and interval changed, against snmpsim serving the APC
 * and Raritan data files: each is under 20 lines, `auto` picks the vendor's profiles, and every
 * outlet gets the machine its name (or the outlet table) gives it.
 */
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { ConfigInput } from '../../../config/schema.js';
import { SIM_V3, startSnmpsim, type SnmpsimServer } from '../../helpers/snmpsim.js';
import { floatField, lastPoll, startBridgeHarness, type BridgeHarness } from '../bridge-harness.js';

const README = new URL('../../../bridges/snmp/README.md', import.meta.url).pathname;
const fixture = (name: string) => new URL(`../../fixtures/snmpsim/${name}.snmprec`, import.meta.url).pathname;

type Device = NonNullable<NonNullable<NonNullable<ConfigInput['bridges']>['snmp']>['devices']>[number];

/** The YAML blocks of the README's "Two PDUs in a few lines". */
function setups(): string[] {
  const section = readFileSync(README, 'utf8').split('### Two PDUs in a few lines')[1]!.split('\n#')[0]!;
  return [...section.matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => match[1]!);
}

/** The one device of a block. */
function deviceOf(block: string): Device {
  const config = parse(block) as { bridges: { snmp: { devices: Device[] } } };
  expect(config.bridges.snmp.devices).toHaveLength(1);
  return config.bridges.snmp.devices[0]!;
}

let sim: SnmpsimServer;
let harness: BridgeHarness | undefined;
beforeAll(async () => {
  sim = await startSnmpsim({ pdu: fixture('apc-pdu'), px3: fixture('raritan-px3') }, { v3: SIM_V3 });
});
afterAll(async () => {
  await sim?.stop();
});
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

/** Runs `device` against snmpsim and returns the outlets of its first whole poll. */
async function outlets(device: Device, access: Partial<Device>, rows: number) {
  harness = await startBridgeHarness({
    // Polled often: the harness may subscribe after the first poll, and waits for the next.
    bridges: {
      snmp: { devices: [{ ...device, host: '127.0.0.1', port: sim.port, ...access, interval: 300 }] },
    },
  });
  const h = harness;
  await h.until(() => lastPoll(h.metrics(device.name, 'outlet')).length === rows, 'a poll of every outlet');
  return { h, rows: lastPoll(h.metrics(device.name, 'outlet')) };
}

const machines = (rows: { tags: Record<string, string> }[]) =>
  Object.fromEntries(rows.map((row) => [row.tags.outlet, row.tags.machine]));

describe('SNMP README setups', () => {
  it('shows an APC and a Raritan setup in under 20 lines each', () => {
    const blocks = setups();
    expect(blocks).toHaveLength(2);
    for (const block of blocks) expect(block.trim().split('\n').length).toBeLessThan(20);
    expect(blocks.map((block) => deviceOf(block).name)).toEqual(['pdu-r1-a', 'px3-r2-b']);
  });

  it('polls the APC setup as written', async () => {
    const device = deviceOf(setups()[0]!);
    const { h, rows } = await outlets(device, { community: 'pdu' }, 8);
    expect(machines(rows)).toEqual({ '1': 'web1', '2': 'web1', '3': 'db1', '4': 'db1' });
    const outlet3 = rows.find((row) => row.tags.outlet === '3')!;
    expect(outlet3.tags.outlet_name).toBe('db1-psu1');
    const file = readFileSync(fixture('apc-pdu'), 'utf8');
    const watts = Number(/^1\.3\.6\.1\.4\.1\.318\.1\.1\.26\.9\.4\.3\.1\.7\.3\|\d+\|(\d+)$/m.exec(file)![1]);
    expect(floatField(outlet3, 'power_w')).toBe(watts);
    await h.until(() => h.metrics('pdu-r1-a', 'pdu').length > 0, 'the device totals (auto)');
  });

  it('polls the Raritan setup as written, over SNMPv3', async () => {
    const device = deviceOf(setups()[1]!);
    // The README's user and keys, replaced by snmpsim's; its level and protocols are the defaults.
    const v3 = {
      ...device.v3,
      user: SIM_V3.user,
      authKey: SIM_V3.authKey,
      privKey: SIM_V3.privKey,
      context: 'px3',
    };
    const { h, rows } = await outlets(device, { v3 }, 8);
    expect(machines(rows)).toEqual({
      '1': 'web-01',
      '2': 'web-01',
      '3': 'db-01',
      '5': 'db-01',
      '7': 'nas-02',
      '8': 'lab-switch',
    });
    expect(
      floatField(
        rows.find((row) => row.tags.outlet === '1')!,
        'current_a',
      ),
    ).toBe(1.234);
    await h.until(() => h.metrics('px3-r2-b', 'inlet').length > 0, 'the inlet (auto)');
  });
});
