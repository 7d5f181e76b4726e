/** The SNMP bridge against a real Debian snmpd: the system, if-mib and ucd profiles; v1, v2c, v3. */
import os from 'node:os';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { desAvailable } from '../../../bridges/snmp/session.js';
import { SNMPD_SECRET_COMMUNITY, SNMPD_USERS, startSnmpd, type SnmpdServer } from '../../helpers/snmpd.js';
import { floatField, startBridgeHarness, type BridgeHarness } from '../bridge-harness.js';

let snmpd: SnmpdServer;
let harness: BridgeHarness | undefined;

beforeAll(async () => {
  snmpd = await startSnmpd();
});
afterAll(async () => {
  await snmpd?.stop();
});
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

const local = () => ({ host: '127.0.0.1', port: snmpd.port, interval: 250, timeout: 1_000 });

describe('SNMP bridge against snmpd', () => {
  it('publishes the system, if-mib and ucd profiles as metrics of the device, with rates from the second poll', async () => {
    harness = await startBridgeHarness({
      bridges: {
        snmp: {
          devices: [
            { name: 'host1', ...local(), profiles: ['system', 'if-mib', 'ucd'], tags: { rack: 'r1' } },
          ],
        },
      },
    });
    const h = harness;
    // snmpd refreshes its CPU counters every few seconds: wait for an interval in which they moved.
    const cpuTicks = (m: { fields: Record<string, unknown> }) =>
      ['user', 'nice', 'system', 'idle', 'wait'].reduce(
        (sum, k) => sum + floatField(m as never, `${k}_ticks_per_s`),
        0,
      );
    await h.until(() => h.metrics('host1', 'cpu').some((m) => cpuTicks(m) > 0), 'CPU tick rates', 10_000);

    const system = h.metrics('host1', 'system').at(-1)!;
    expect(h.messages.find((m) => m.topic === 'busbar/metrics/host1/system')).toBeDefined();
    expect(system.tags).toEqual({ device: 'host1', rack: 'r1' });
    expect(floatField(system, 'uptime_s')).toBeGreaterThan(0);
    expect(system.fields.sys_name).toEqual({ type: 'string', value: os.hostname() });

    const memory = h.metrics('host1', 'memory').at(-1)!;
    // memTotalReal is MemTotal of /proc/meminfo in kB, as is os.totalmem() in bytes.
    expect(floatField(memory, 'total_bytes')).toBe(os.totalmem());
    expect(floatField(memory, 'available_bytes')).toBeGreaterThan(0);

    // snmpd caches its reading for a few seconds, and on a busy machine the load average moves
    // meanwhile: the same figure within 0.5, or within 20% when it is high.
    const load = h.metrics('host1', 'load').at(-1)!;
    const load1 = os.loadavg()[0]!;
    expect(Math.abs(floatField(load, 'load1') - load1)).toBeLessThanOrEqual(Math.max(0.5, 0.2 * load1));

    // Linux counts USER_HZ (100) ticks per second per CPU; averaged over snmpd's refresh, about that.
    const busiest = Math.max(...h.metrics('host1', 'cpu').map(cpuTicks));
    expect(busiest).toBeGreaterThan(20 * os.cpus().length);

    // snmpd refreshes interface counters every few seconds too: wait for a poll pair that saw ours move.
    const loMoved = () =>
      h
        .metrics('host1', 'interface')
        .some((m) => m.tags.interface === 'lo' && Number(m.fields.in_bytes_per_s?.value ?? 0) > 0);
    await h.until(loMoved, 'traffic counted on lo', 20_000);
    const interfaces = h.metrics('host1', 'interface');
    const lo = interfaces.filter((m) => m.tags.interface === 'lo').at(-1)!;
    expect(lo.tags).toMatchObject({ device: 'host1', ifindex: '1', interface: 'lo' });
    expect(floatField(lo, 'oper_status')).toBe(1);
    expect(floatField(lo, 'in_bytes_per_s')).toBeGreaterThanOrEqual(0);
    expect(loMoved()).toBe(true); // our own SNMP traffic
    expect(h.payloads('busbar/status/host1')).toEqual(['online']);
  });

  it('speaks v1, v2c with another community, and v3 authPriv (SHA/AES) and authNoPriv; never logs a secret', async () => {
    const { shaAes, md5Des, authOnly } = SNMPD_USERS;
    harness = await startBridgeHarness({
      bridges: {
        snmp: {
          devices: [
            { name: 'v1', ...local(), version: '1', profiles: ['system', 'if-mib'] },
            { name: 'v2c', ...local(), community: SNMPD_SECRET_COMMUNITY, profiles: ['system'] },
            {
              name: 'sha-aes',
              ...local(),
              version: '3',
              v3: { ...shaAes, authProtocol: 'sha', privProtocol: 'aes' },
              profiles: ['system'],
            },
            // DES: see the next test; here only its clear error when Node.js lacks the legacy provider.
            {
              name: 'md5-des',
              ...local(),
              version: '3',
              v3: { ...md5Des, authProtocol: 'md5', privProtocol: 'des' },
              profiles: ['system'],
            },
            {
              name: 'auth-only',
              ...local(),
              version: '3',
              v3: { ...authOnly, level: 'authNoPriv' },
              profiles: ['system'],
            },
            {
              name: 'wrong-key',
              ...local(),
              retries: 0,
              version: '3',
              v3: { ...shaAes, authKey: 'not-the-right-key' },
              profiles: ['system'],
            },
          ],
        },
      },
    });
    const h = harness;
    const names = ['v1', 'v2c', 'sha-aes', 'auth-only', ...(desAvailable() ? ['md5-des'] : [])];
    await h.until(
      () => names.every((name) => h.metrics(name, 'system').length > 0),
      'system metrics from every device',
    );
    for (const name of names)
      expect(h.metrics(name, 'system')[0]!.fields.sys_name).toEqual({ type: 'string', value: os.hostname() });
    // v1 has no Counter64: the if-mib profile falls back to the 32-bit octet counters.
    await h.until(
      () => h.metrics('v1', 'interface').some((m) => 'in_bytes_per_s' in m.fields),
      'v1 interface rates',
    );

    await h.until(() => h.payloads('busbar/status/wrong-key').includes('offline'), 'wrong-key offline');
    const log = h.busbar.log.text();
    for (const secret of [
      SNMPD_SECRET_COMMUNITY,
      shaAes.authKey,
      shaAes.privKey,
      md5Des.authKey,
      md5Des.privKey,
      authOnly.authKey,
      'not-the-right-key',
    ]) {
      expect(log).not.toContain(secret);
    }
    expect(h.busbar.log.find('SNMP device wrong-key is offline')[0]?.msg).toMatch(/Wrong Digest/);
    if (!desAvailable()) {
      await h.until(() => h.payloads('busbar/status/md5-des').includes('offline'), 'md5-des offline');
      expect(h.busbar.log.find('SNMP device md5-des is offline')[0]?.msg).toContain(
        'NODE_OPTIONS=--openssl-legacy-provider',
      );
    }
  });

  it('reports a wrong OID with the device, OID and reason, counts it, and still publishes the rest', async () => {
    harness = await startBridgeHarness({
      bridges: {
        snmp: {
          statsInterval: 200,
          devices: [
            {
              name: 'host2',
              ...local(),
              gets: [
                { oid: '1.3.6.1.2.1.1.3.0', name: 'uptime', measurement: 'custom', scale: 0.01 },
                { oid: '1.3.6.1.2.1.1.99.0', name: 'nothing', measurement: 'custom' },
                { oid: '1.3.6.1.2.1.1.5.0', name: 'not_a_number', measurement: 'custom' },
              ],
              walks: [{ measurement: 'ghost', columns: [{ oid: '1.3.6.1.4.1.99999.1.1', name: 'x' }] }],
            },
          ],
        },
      },
    });
    const h = harness;
    await h.until(() => h.metrics('host2', 'custom').length >= 2, 'two polls');
    expect(Object.keys(h.metrics('host2', 'custom')[0]!.fields)).toEqual(['uptime']);
    await h.until(
      () =>
        (h.stats<{ devices: Record<string, { fieldErrors: number }> }>('snmp')?.devices.host2?.fieldErrors ??
          0) >= 3,
      'stats',
    );
    const warnings = h.busbar.log.find('SNMP device host2:').map((line) => line.msg);
    expect(warnings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /host2: 1\.3\.6\.1\.2\.1\.1\.99\.0 \(custom\.nothing\): NoSuch(Object|Instance)/,
        ),
        expect.stringMatching(/host2: 1\.3\.6\.1\.2\.1\.1\.5\.0 \(custom\.not_a_number\): not a number/),
        'SNMP device host2: 1.3.6.1.4.1.99999.1.1 (ghost.x): empty column',
      ]),
    );
    // Logged once, not at every poll.
    expect(warnings.length).toBe(3);
    expect(h.payloads('busbar/status/host2')).toEqual(['online']);
  });
});
