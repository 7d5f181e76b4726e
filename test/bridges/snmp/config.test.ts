import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../config/load.js';
import { problems } from './config-problems.js';

const device = { name: 'pdu1', host: '10.0.0.5' };

describe('bridges.snmp config', () => {
  it('fills defaults in the schema: v2c, port 161, 2 s timeout, 1 retry, 60 s interval', () => {
    const config = parseConfig({ bridges: { snmp: { devices: [device] } } }, { env: {} });
    const snmp = config.bridges.snmp!;
    expect(snmp.concurrency).toBe(8);
    expect(snmp.devices[0]).toMatchObject({
      version: '2c',
      port: 161,
      community: 'public',
      timeout: 2_000,
      retries: 1,
      interval: 60_000,
      profiles: [],
    });
  });

  it('is not configured (and the bridge not started) without the section', () => {
    expect(parseConfig({}, { env: {} }).bridges.snmp).toBeUndefined();
  });

  it('names every problem with its path: unknown keys, bad OIDs, missing v3 keys, duplicate names', () => {
    const found = problems({
      bridges: {
        snmp: {
          devices: [
            { ...device, comunity: 'x' } as never,
            { ...device, gets: [{ oid: 'sysUpTime.0', name: 'up' }] },
            {
              name: 'v3dev',
              host: 'h',
              version: '3',
              v3: { user: 'u', level: 'authPriv', authKey: 'long-enough' },
            },
            { name: 'v3none', host: 'h', version: '3' },
          ],
        },
      },
    });
    expect(found).toEqual(
      expect.arrayContaining([
        'bridges.snmp.devices[0].comunity: unknown key',
        expect.stringMatching(/^bridges\.snmp\.devices\[1\]\.gets\[0\]\.oid: a numeric OID/),
        'bridges.snmp.devices[2].v3.privKey: required for level authPriv',
        'bridges.snmp.devices[3].v3: required when version is 3',
      ]),
    );
    expect(problems({ bridges: { snmp: { devices: [device, device] } } })).toEqual([
      'bridges.snmp.devices[1].name: device "pdu1" is defined twice',
    ]);
  });

  it('accepts the named profiles and a generic outlet table, and strips a leading dot from OIDs', () => {
    const config = parseConfig(
      {
        bridges: {
          snmp: {
            devices: [
              {
                ...device,
                profiles: [
                  'system',
                  'if-mib',
                  'ucd',
                  'apc-rpdu2-outlet',
                  { outlet: { power: { oid: '.1.3.6.1.4.1.9.9.1' } } },
                ],
                outlets: { '1': 'web1' },
              },
            ],
          },
        },
      },
      { env: {} },
    );
    expect(config.bridges.snmp!.devices[0]!.profiles[4]).toEqual({
      outlet: { power: { oid: '1.3.6.1.4.1.9.9.1', scale: 1 } },
    });
    expect(
      problems({ bridges: { snmp: { devices: [{ ...device, profiles: ['nope' as never] }] } } }),
    ).not.toEqual([]);
  });
});

describe('bridges.snmp index and machine settings', () => {
  it('refuses a machine pattern that does not compile or names no machine, and indexTags that contradict indexLength', () => {
    const walk = { measurement: 'm', columns: [{ oid: '1.3.6.1.4.1.1.1', name: 'v' }] };
    expect(
      problems({
        bridges: {
          snmp: {
            devices: [
              { ...device, name: 'a', machineFromName: '^(?<machine>.+' },
              { ...device, name: 'b', machineFromName: '^(.+)-psu\\d$' },
              { ...device, name: 'c', walks: [{ ...walk, indexTags: ['pdu', 'outlet'], indexLength: 3 }] },
            ],
          },
        },
      }),
    ).toEqual([
      expect.stringMatching(/^bridges\.snmp\.devices\[0\]\.machineFromName: not a regular expression: /),
      'bridges.snmp.devices[1].machineFromName: needs a named group (?<machine>...)',
      'bridges.snmp.devices[2].walks[0].indexLength: 3 does not match the 2 indexTags',
    ]);
  });
});
