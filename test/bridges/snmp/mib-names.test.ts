/**
 * OIDs by MIB name: names from the MIBs net-snmp ships and from a folder of vendor MIBs
 * (test/fixtures/mibs/PowerNet-MIB.mib) become numbers when the config is read, and a device polled
 * by names publishes what the numeric profile publishes. An unknown name is a config error naming it
 * and its place.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../config/load.js';
import { problems } from './config-problems.js';
import { startSnmpsim, type SnmpsimServer } from '../../helpers/snmpsim.js';
import { lastPoll, startBridgeHarness } from '../bridge-harness.js';

const MIBS = new URL('../../fixtures/mibs', import.meta.url).pathname;
const FIXTURE = new URL('../../fixtures/snmpsim/apc-pdu.snmprec', import.meta.url).pathname;

const outletWalk = {
  measurement: 'outlet',
  indexTag: 'outlet',
  tags: { outlet_name: 'PowerNet-MIB::rPDU2OutletMeteredStatusName' },
  columns: [
    { oid: 'PowerNet-MIB::rPDU2OutletMeteredStatusCurrent', name: 'current_a', scale: 0.1 },
    { oid: 'PowerNet-MIB::rPDU2OutletMeteredStatusPower', name: 'power_w' },
    { oid: 'PowerNet-MIB::rPDU2OutletMeteredStatusEnergy', name: 'energy_kwh', scale: 0.1 },
  ],
};

describe('SNMP OIDs by MIB name', () => {
  it('resolves names of shipped and folder MIBs, with instance suffixes, everywhere an OID goes', () => {
    const config = parseConfig(
      {
        bridges: {
          snmp: {
            mibDirs: [MIBS],
            devices: [
              {
                name: 'pdu',
                host: '127.0.0.1',
                gets: [{ oid: 'SNMPv2-MIB::sysUpTime.0', name: 'uptime' }],
                walks: [
                  outletWalk,
                  { measurement: 'interface', columns: [{ oid: 'IF-MIB::ifHCInOctets', name: 'in' }] },
                ],
                profiles: [
                  {
                    outlet: {
                      name: 'PowerNet-MIB::rPDU2OutletMeteredStatusName',
                      power: { oid: 'PowerNet-MIB::rPDU2OutletMeteredStatusPower' },
                    },
                  },
                ],
              },
            ],
          },
        },
      },
      { env: {} },
    );
    const device = config.bridges.snmp!.devices[0]!;
    const entry = '1.3.6.1.4.1.318.1.1.26.9.4.3.1';
    expect(device.gets[0]!.oid).toBe('1.3.6.1.2.1.1.3.0');
    expect(device.walks[0]!.columns.map((c) => c.oid)).toEqual([`${entry}.6`, `${entry}.7`, `${entry}.11`]);
    expect(device.walks[0]!.tags).toEqual({ outlet_name: `${entry}.3` });
    expect(device.walks[1]!.columns[0]!.oid).toBe('1.3.6.1.2.1.31.1.1.1.6');
    expect(device.profiles[0]).toEqual({
      outlet: { name: `${entry}.3`, power: { oid: `${entry}.7`, scale: 1 } },
    });
  });

  it('names each unknown name and where it was written; a MIB that does not parse is named too', () => {
    const broken = mkdtempSync(path.join(tmpdir(), 'busbar-mibs-'));
    writeFileSync(
      path.join(broken, 'BROKEN-MIB.mib'),
      'BROKEN-MIB DEFINITIONS ::= BEGIN\n  this is not ASN.1 {{\n',
    );
    const found = problems({
      bridges: {
        snmp: {
          mibDirs: [MIBS, broken, path.join(broken, 'missing')],
          devices: [
            {
              name: 'pdu',
              host: '127.0.0.1',
              gets: [{ oid: 'SNMPv2-MIB::sysUpTimee.0', name: 'uptime' }],
              walks: [{ ...outletWalk, tags: { outlet_name: 'EATON-EPDU-MIB::outletName' } }],
            },
          ],
        },
      },
    });
    expect(found).toContain(
      'bridges.snmp.devices[0].gets[0].oid: unknown MIB object sysUpTimee in module SNMPv2-MIB (SNMPv2-MIB::sysUpTimee.0)',
    );
    expect(found).toContain(
      'bridges.snmp.devices[0].walks[0].tags.outlet_name: unknown MIB module EATON-EPDU-MIB in EATON-EPDU-MIB::outletName (put its file in a folder of bridges.snmp.mibDirs)',
    );
    expect(
      found.some((p) =>
        p.startsWith(`bridges.snmp.mibDirs: MIB file ${path.join(broken, 'BROKEN-MIB.mib')}:`),
      ),
    ).toBe(true);
    expect(
      found.some((p) => p.startsWith(`bridges.snmp.mibDirs: MIB folder ${path.join(broken, 'missing')}:`)),
    ).toBe(true);
    expect(
      problems({
        bridges: { snmp: { devices: [{ name: 'x', host: 'h', gets: [{ oid: 'sysUpTime', name: 'u' }] }] } },
      }),
    ).toEqual([
      'bridges.snmp.devices[0].gets[0].oid: a numeric OID such as 1.3.6.1.2.1.1.3.0, or a MIB name such as IF-MIB::ifHCInOctets',
    ]);
  });

  describe('polling by names', () => {
    let sim: SnmpsimServer;
    beforeAll(async () => {
      sim = await startSnmpsim({ pdu: FIXTURE });
    });
    afterAll(async () => {
      await sim?.stop();
    });

    it('publishes what the numeric APC profile publishes', async () => {
      const device = (name: string, extra: object) => ({
        name,
        host: '127.0.0.1',
        port: sim.port,
        community: 'pdu',
        interval: 300,
        ...extra,
      });
      const h = await startBridgeHarness({
        bridges: {
          snmp: {
            mibDirs: [MIBS],
            devices: [
              device('by-name', { walks: [{ ...outletWalk, outlet: true }] }),
              device('by-number', { profiles: ['apc-rpdu2-outlet'] }),
            ],
          },
        },
      });
      try {
        await h.until(
          () =>
            lastPoll(h.metrics('by-name', 'outlet')).length === 8 &&
            lastPoll(h.metrics('by-number', 'outlet')).length === 8,
          'both devices polled',
        );
        const strip = (source: string) =>
          lastPoll(h.metrics(source, 'outlet'))
            .map((m) => ({ tags: { ...m.tags, device: '' } as Record<string, string>, fields: m.fields }))
            .sort((a, b) => Number(a.tags.outlet) - Number(b.tags.outlet));
        expect(strip('by-name')).toEqual(strip('by-number'));
        expect(strip('by-name')[0]!.fields.power_w).toEqual({ type: 'float', value: 260 });
      } finally {
        await h.stop();
      }
    });
  });
});
