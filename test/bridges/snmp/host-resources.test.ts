/**
 * The shipped `host-resources` profile (HOST-RESOURCES-MIB, RFC 2790): storage in bytes and used %
 * from allocation units × size / used, the load of each CPU, and the host's uptime, users and
 * processes. Exact values against a data file written here for snmpsim, with an empty drive (size
 * 0: no used %); then against the real snmpd, whose physical memory is the machine's.
 */
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSnmpd, type SnmpdServer } from '../../helpers/snmpd.js';
import { simAccess, startSnmpsim, type SnmprecRecord, type SnmpsimServer } from '../../helpers/snmpsim.js';
import { floatField, lastPoll, startBridgeHarness } from '../bridge-harness.js';

const HR = '1.3.6.1.2.1.25';
const STORAGE = `${HR}.2.3.1`; // hrStorageEntry: Descr 3, AllocationUnits 4, Size 5, Used 6

/** index, hrStorageDescr, allocation units (bytes), size and used (in units). */
const STORAGES = [
  [1, 'Physical memory', 1024, 16_384_000, 8_192_000],
  [31, '/', 4096, 2_621_440, 655_360],
  [36, '/mnt/cdrom', 2048, 0, 0],
] as const;

/** hrDeviceIndex of a CPU → hrProcessorLoad (%). */
const CPUS = { 196608: 12, 196609: 87 } as const;

const RECORDS: SnmprecRecord[] = [
  { oid: '1.3.6.1.2.1.1.2.0', type: 6, value: '1.3.6.1.4.1.8072.3.2.10' },
  { oid: '1.3.6.1.2.1.1.3.0', type: 67, value: 4321 },
  { oid: `${HR}.1.1.0`, type: 67, value: 8_640_000 }, // hrSystemUptime: one day in hundredths
  { oid: `${HR}.1.5.0`, type: 66, value: 3 }, // hrSystemNumUsers
  { oid: `${HR}.1.6.0`, type: 66, value: 212 }, // hrSystemProcesses
  ...STORAGES.flatMap(([index, descr, units, size, used]) => [
    { oid: `${STORAGE}.1.${index}`, type: 2, value: index },
    { oid: `${STORAGE}.3.${index}`, type: 4, value: descr },
    { oid: `${STORAGE}.4.${index}`, type: 2, value: units },
    { oid: `${STORAGE}.5.${index}`, type: 2, value: size },
    { oid: `${STORAGE}.6.${index}`, type: 2, value: used },
  ]),
  ...Object.entries(CPUS).map(([index, load]) => ({ oid: `${HR}.3.3.1.2.${index}`, type: 2, value: load })),
];

describe('SNMP host-resources profile', () => {
  let sim: SnmpsimServer;
  let snmpd: SnmpdServer;
  beforeAll(async () => {
    [sim, snmpd] = await Promise.all([startSnmpsim({ host: RECORDS }), startSnmpd()]);
  });
  afterAll(async () => {
    await Promise.all([sim?.stop(), snmpd?.stop()]);
  });

  it('publishes storage bytes and used %, CPU loads and host counts as the data file gives them', async () => {
    const h = await startBridgeHarness({
      bridges: {
        snmp: {
          statsInterval: 100,
          devices: [
            {
              name: 'host',
              host: '127.0.0.1',
              port: sim.port,
              ...simAccess('2c', 'host'),
              interval: 300,
              profiles: ['host-resources'],
            },
          ],
        },
      },
    });
    try {
      await h.until(() => lastPoll(h.metrics('host', 'storage')).length === 3, 'storage rows');
      await h.until(() => lastPoll(h.metrics('host', 'cpu')).length === 2, 'cpu rows');
      const storage = lastPoll(h.metrics('host', 'storage'));
      for (const [index, descr, units, size, used] of STORAGES) {
        const row = storage.find((m) => m.tags.storage === String(index))!;
        expect(row.tags).toEqual({ device: 'host', storage: String(index), storage_name: descr });
        expect(floatField(row, 'size_bytes')).toBe(size * units);
        expect(floatField(row, 'used_bytes')).toBe(used * units);
        // A drive of size 0 has no used share: not published rather than NaN or infinity.
        if (size === 0) expect(row.fields.used_pct).toBeUndefined();
        else expect(floatField(row, 'used_pct')).toBe((used / size) * 100);
      }
      const cpus = lastPoll(h.metrics('host', 'cpu'));
      expect(Object.fromEntries(cpus.map((m) => [m.tags.cpu, floatField(m, 'load_pct')]))).toEqual(
        Object.fromEntries(Object.entries(CPUS)),
      );
      const host = h.metrics('host', 'host').at(-1)!;
      expect(host.fields).toEqual({
        uptime_s: { type: 'float', value: 86_400 },
        users: { type: 'float', value: 3 },
        processes: { type: 'float', value: 212 },
      });
      type Stats = { devices: Record<string, { unavailable: number; fieldErrors: number }> };
      await h.until(
        () => (h.stats<Stats>('snmp')?.devices.host?.unavailable ?? 0) > 0,
        'unavailable counted',
      );
      expect(h.stats<Stats>('snmp')!.devices.host!.fieldErrors).toBe(0);
    } finally {
      await h.stop();
    }
  });

  // snmpd answers hrProcessorLoad only once it has a minute of samples: the CPU loads are checked
  // against the data file above.
  it("reads the real snmpd: physical memory is the machine's", async () => {
    const h = await startBridgeHarness({
      bridges: {
        snmp: {
          devices: [
            {
              name: 'real',
              host: '127.0.0.1',
              port: snmpd.port,
              interval: 300,
              timeout: 1_000,
              profiles: ['host-resources'],
            },
          ],
        },
      },
    });
    try {
      await h.until(() => h.metrics('real', 'host').length > 0, 'host counts');
      await h.until(
        () => h.metrics('real', 'storage').some((m) => m.tags.storage_name === 'Physical memory'),
        'physical memory',
      );
      const memory = h.metrics('real', 'storage').find((m) => m.tags.storage_name === 'Physical memory')!;
      // hrStorageSize of physical memory is MemTotal in 1024-byte units, as os.totalmem() is in bytes.
      expect(floatField(memory, 'size_bytes')).toBe(os.totalmem());
      expect(floatField(memory, 'used_pct')).toBeGreaterThan(0);
      expect(floatField(memory, 'used_pct')).toBeLessThanOrEqual(100);
      const host = h.metrics('real', 'host').at(-1)!;
      expect(floatField(host, 'processes')).toBeGreaterThan(0);
      expect(floatField(host, 'uptime_s')).toBeGreaterThan(0);
    } finally {
      await h.stop();
    }
  });
});
