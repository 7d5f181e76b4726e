/**
 * What the profile format adds for the shipped profiles, checked through the config as a user's
 * file meets it: several profiles in one file (each problem says which), an empty file, the column
 * options that take OIDs (`multiplyBy`, `divideBy`, `oidV1`) resolved from MIB names like `oid`,
 * and the shipped names listed when a device names an unknown profile.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../config/load.js';
import { problems } from './config-problems.js';

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'busbar-profile-format-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

const TWO = `name: one
gets: [{ oid: 1.3.6.1.2.1.1.3.0, name: up }]
---
name: two
walks:
  - measurement: m
    columns:
      - { oid: 1.3.6.1.2.1.31.1.1.1.6, oidV1: IF-MIB::ifInOctets, name: a, multiplyBy: IF-MIB::ifMtu, divideBy: IF-MIB::ifSpeed }
`;

describe('SNMP profile file format', () => {
  it('reads several profiles from one file and resolves MIB names in every column option', () => {
    const dir = folder({ 'two.yaml': TWO });
    const snmp = parseConfig(
      {
        bridges: {
          snmp: { profileDirs: [dir], devices: [{ name: 'd', host: 'h', profiles: ['one', 'two'] }] },
        },
      },
      { env: {} },
    ).bridges.snmp!;
    expect(snmp.profiles.one!.gets.map((g) => g.name)).toEqual(['up']);
    const column = snmp.profiles.two!.walks[0]!.columns[0]!;
    expect(column).toMatchObject({
      oidV1: '1.3.6.1.2.1.2.2.1.10',
      multiplyBy: '1.3.6.1.2.1.2.2.1.4',
      divideBy: '1.3.6.1.2.1.2.2.1.5',
    });
    // The shipped profiles are there too, read by the same loader.
    expect(snmp.profiles['host-resources']!.shipped).toBe(true);
    expect(snmp.profiles.two!.shipped).toBe(false);
  });

  it('says which profile of a file a problem is in, and refuses an empty file', () => {
    const dir = folder({
      'pair.yaml': `${TWO}---\nname: three\ngets: [{ oid: IF-MIB::ifNothing.0, name: x }]\n`,
      'empty.yaml': '',
    });
    const found = problems({
      bridges: { snmp: { profileDirs: [dir], devices: [{ name: 'd', host: 'h', profiles: ['nope'] }] } },
    });
    const at = (file: string) => `bridges.snmp.profileDirs: ${path.join(dir, file)}: `;
    expect(found).toContain(`${at('empty.yaml')}(profile): the file is empty`);
    expect(
      found.some((p) =>
        p.startsWith(`${at('pair.yaml')}profile 3: gets.0.oid: unknown MIB object ifNothing`),
      ),
    ).toBe(true);
    expect(found).toContainEqual(
      expect.stringMatching(/unknown profile nope: not shipped \(.*host-resources.*\) and in no file/),
    );
    expect(found.some((p) => p.includes('profile 1:') || p.includes('profile 2:'))).toBe(false);
  });
});
