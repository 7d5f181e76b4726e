/**
 * Profiles of the user's own, one YAML file each in a folder of `profileDirs`: named by devices or
 * chosen by `auto` from their sysObjectIds, with OIDs by number or MIB name; a file that is wrong in
 * any way is a config error naming the file and the place in it.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHIPPED_PROFILES_DIR } from '../../../bridges/snmp/profile-files.js';
import { startSnmpsim, type SnmpsimServer } from '../../helpers/snmpsim.js';
import { lastPoll, startBridgeHarness } from '../bridge-harness.js';
import { problems } from './config-problems.js';

const MIBS = new URL('../../fixtures/mibs', import.meta.url).pathname;
const FIXTURE = new URL('../../fixtures/snmpsim/apc-pdu.snmprec', import.meta.url).pathname;

/** A folder holding `files` (name → text). */
function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'busbar-profiles-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

// An APC outlet profile as a user would write it: names from PowerNet-MIB, watts only, plus the
// device name by number; chosen by auto for Rack PDU 2G (the shipped APC profiles' sysObjectID).
const ACME = `name: acme-outlet-power
sysObjectIds: [1.3.6.1.4.1.318.1.3.4.5]
gets:
  - { oid: 1.3.6.1.2.1.1.5.0, name: sys_name, measurement: pdu_info, type: string }
walks:
  - measurement: outlet_power
    outlet: true
    indexTags: [outlet]
    tags: { outlet_name: PowerNet-MIB::rPDU2OutletMeteredStatusName }
    columns:
      - { oid: PowerNet-MIB::rPDU2OutletMeteredStatusPower, name: power_w }
`;

describe('SNMP profiles from profileDirs', () => {
  let sim: SnmpsimServer;
  beforeAll(async () => {
    sim = await startSnmpsim({ pdu: FIXTURE });
  });
  afterAll(async () => {
    await sim?.stop();
  });

  it('polls a device with a profile from a file, named or chosen by auto ahead of the shipped ones', async () => {
    const dir = folder({ 'acme.yaml': ACME, 'README.txt': 'not a profile: ignored' });
    const device = (name: string, profiles: string[]) => ({
      name,
      host: '127.0.0.1',
      port: sim.port,
      community: 'pdu',
      interval: 300,
      profiles,
    });
    const h = await startBridgeHarness({
      bridges: {
        snmp: {
          statsInterval: 100,
          mibDirs: [MIBS],
          profileDirs: [dir],
          devices: [device('named', ['acme-outlet-power']), device('auto', ['auto'])],
        },
      },
    });
    try {
      for (const source of ['named', 'auto']) {
        await h.until(
          () => lastPoll(h.metrics(source, 'outlet_power')).length === 8,
          `${source}: outlet rows`,
        );
        const first = lastPoll(h.metrics(source, 'outlet_power')).find((m) => m.tags.outlet === '1')!;
        expect(first.tags).toEqual({ device: source, outlet: '1', outlet_name: 'web1-psu1' });
        expect(first.fields).toEqual({ power_w: { type: 'float', value: 260 } });
        expect(h.metrics(source, 'pdu_info')[0]!.fields.sys_name!.value).toBe('pdu-r1-a');
      }
      type Stats = { devices: Record<string, { profiles?: string[] }> };
      await h.until(() => h.stats<Stats>('snmp')?.devices.auto?.profiles !== undefined, 'auto chose');
      expect(h.stats<Stats>('snmp')!.devices.auto!.profiles).toEqual(['system', 'acme-outlet-power']);
      // The shipped APC outlet profile was not taken: no `outlet` measurement.
      expect(h.metrics('auto', 'outlet')).toEqual([]);
    } finally {
      await h.stop();
    }
  });

  it('names the file and the place of every problem in the profile files and their use', () => {
    const dir = folder({
      'acme.yaml': ACME,
      'again.yml': ACME,
      'broken.yaml': 'name: [unclosed\n',
      'shape.yaml':
        'name: shape\nwalks:\n  - { measurement: m, columns: [{ oid: 1.3.6.1.4.1.1.2, nmae: x }] }\n',
      'mib.yaml': 'name: mib\ngets: [{ oid: PowerNet-MIB::rPDU2Nothing.0, name: x }]\n',
      'shipped.yaml': 'name: if-mib\ngets: [{ oid: 1.3.6.1.2.1.1.3.0, name: x }]\n',
      'empty.yaml': 'name: empty\n',
    });
    const found = problems({
      bridges: {
        snmp: {
          mibDirs: [MIBS],
          profileDirs: [dir, path.join(dir, 'missing')],
          devices: [{ name: 'pdu', host: 'h', profiles: ['acme-outlet-power', 'acme-outlet-powr'] }],
        },
      },
    });
    const at = (file: string) => `bridges.snmp.profileDirs: ${path.join(dir, file)}: `;
    expect(found).toEqual(
      expect.arrayContaining([
        `${at('again.yml')}name: profile acme-outlet-power is already defined by ${path.join(dir, 'acme.yaml')}`,
        `${at('shipped.yaml')}name: profile if-mib is already defined by busbar's shipped file ${path.join(SHIPPED_PROFILES_DIR, 'if-mib.yaml')}`,
        `${at('mib.yaml')}gets.0.oid: unknown MIB object rPDU2Nothing in module PowerNet-MIB (PowerNet-MIB::rPDU2Nothing.0)`,
        `${at('empty.yaml')}(profile): give gets or walks`,
        `bridges.snmp.profileDirs: ${path.join(dir, 'missing')}: cannot read the folder (ENOENT)`,
        expect.stringMatching(
          /^bridges\.snmp\.devices\[0\]\.profiles\[1\]: unknown profile acme-outlet-powr: not shipped/,
        ),
      ]),
    );
    expect(found.some((p) => p.startsWith(`${at('broken.yaml')}not YAML:`))).toBe(true);
    expect(found.some((p) => p.startsWith(`${at('shape.yaml')}walks.0.columns.0`))).toBe(true);
    // The good profile is not among the problems, nor is the device's use of it.
    expect(found.some((p) => p.includes('acme.yaml:') || p.includes('profiles[0]'))).toBe(false);
  });

  it('takes a profile name no folder defines for a typo, without profileDirs too', () => {
    expect(
      problems({ bridges: { snmp: { devices: [{ name: 'p', host: 'h', profiles: ['acme'] }] } } }),
    ).toEqual([
      expect.stringMatching(/^bridges\.snmp\.devices\[0\]\.profiles\[0\]: unknown profile acme: not shipped/),
    ]);
  });
});
