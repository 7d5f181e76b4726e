/** diskio and net from replayed counter readings: wraps corrected, resets skipped, filters applied. */
import { describe, expect, it } from 'vitest';
import { computeDiskIo } from '../../agents/host/collectors/diskio.js';
import { computeNet } from '../../agents/host/collectors/net.js';
import { nameFilter } from '../../agents/host/filter.js';
import { parseDiskstats } from '../../agents/host/linux/diskstats.js';
import { parseNetDev } from '../../agents/host/linux/net-dev.js';
import type { NetCounters, NetReading } from '../../agents/host/readings.js';
import { DISKSTATS, NET_DEV } from './fixtures/proc.js';
import { CONTEXT, agentConfig, numbers, tagged } from './helpers.js';

const U32 = 2n ** 32n;
const netDefaults = agentConfig().net;
const keepNet = nameFilter(netDefaults.include, netDefaults.exclude);

function eth0(values: Partial<NetCounters>): NetCounters {
  const base = parseNetDev(NET_DEV).find((entry) => entry.name === 'eth0')!;
  return { ...base, ...values };
}

describe('net collector', () => {
  it('computes per-second rates over the time between readings; lo is excluded by default', () => {
    const first: NetReading = { atMs: 1_000, interfaces: parseNetDev(NET_DEV) };
    const primed = computeNet(first, undefined, keepNet, CONTEXT);
    expect(primed.metrics).toEqual([]);
    const base = eth0({});
    const second: NetReading = {
      atMs: 11_000,
      interfaces: [eth0({ bytesRecv: base.bytesRecv + 50_000n, packetsSent: base.packetsSent + 20n })],
    };
    const { metrics } = computeNet(second, primed.state, keepNet, CONTEXT);
    expect(metrics.map((metric) => metric.tags.interface)).toEqual(['eth0']);
    expect(numbers(metrics[0])).toEqual({
      bytes_recv_per_sec: 5_000,
      bytes_sent_per_sec: 0,
      packets_recv_per_sec: 0,
      packets_sent_per_sec: 2,
      err_in_per_sec: 0,
      err_out_per_sec: 0,
      drop_in_per_sec: 0,
      drop_out_per_sec: 0,
    });
    expect(parseNetDev(NET_DEV).map((entry) => entry.name)).toContain('lo');
  });

  it('corrects a 32-bit counter wrap and skips a reset, field by field, never negative', () => {
    const before: NetReading = {
      atMs: 0,
      interfaces: [eth0({ bytesRecv: U32 - 1_000n, bytesSent: 5_000_000_000n, errIn: 3n })],
    };
    const after: NetReading = {
      atMs: 10_000,
      // bytesRecv wrapped past 2^32; bytesSent went back to nearly 0: the driver was reloaded.
      interfaces: [eth0({ bytesRecv: 9_000n, bytesSent: 100n, errIn: 3n })],
    };
    const primed = computeNet(before, undefined, keepNet, CONTEXT);
    const fields = numbers(computeNet(after, primed.state, keepNet, CONTEXT).metrics[0]);
    expect(fields.bytes_recv_per_sec).toBe(1_000);
    expect(fields).not.toHaveProperty('bytes_sent_per_sec');
    expect(fields.err_in_per_sec).toBe(0);
    for (const value of Object.values(fields)) expect(value).toBeGreaterThanOrEqual(0);
  });

  it('waits one reading for a new interface, and honours include lists', () => {
    const keepOnlyEth = nameFilter(['eth*'], []);
    const primed = computeNet({ atMs: 0, interfaces: [] }, undefined, keepOnlyEth, CONTEXT);
    const first = computeNet(
      { atMs: 1_000, interfaces: parseNetDev(NET_DEV) },
      primed.state,
      keepOnlyEth,
      CONTEXT,
    );
    expect(first.metrics).toEqual([]);
    const second = computeNet(
      { atMs: 2_000, interfaces: parseNetDev(NET_DEV) },
      first.state,
      keepOnlyEth,
      CONTEXT,
    );
    expect(second.metrics.map((metric) => metric.tags.interface)).toEqual(['eth0']);
  });
});

describe('diskio collector', () => {
  const defaults = agentConfig().diskio;
  const keep = nameFilter(defaults.include, defaults.exclude);

  it('gives operations and bytes per second per device, loop devices excluded by default', () => {
    const devices = parseDiskstats(DISKSTATS);
    const primed = computeDiskIo({ atMs: 0, devices }, undefined, keep, CONTEXT);
    const grown = devices.map((device) =>
      device.name === 'vda'
        ? {
            ...device,
            reads: device.reads + 40n,
            sectorsRead: device.sectorsRead + 8n * 40n,
            writes: device.writes + 2n,
          }
        : device,
    );
    const { metrics } = computeDiskIo({ atMs: 2_000, devices: grown }, primed.state, keep, CONTEXT);
    expect(metrics.map((metric) => metric.tags.name)).toEqual(['vda', 'zram0']);
    expect(numbers(tagged(metrics, 'name', 'vda'))).toEqual({
      reads_per_sec: 20,
      writes_per_sec: 1,
      read_bytes_per_sec: 81_920,
      write_bytes_per_sec: 0,
    });
  });

  it('corrects a wrap of a 32-bit sector counter (unsigned long on 32-bit kernels), in bytes', () => {
    const device = { name: 'sda', reads: 10n, writes: 10n, sectorsRead: U32 - 8n, sectorsWritten: 0n };
    const primed = computeDiskIo({ atMs: 0, devices: [device] }, undefined, keep, CONTEXT);
    const wrapped = { ...device, sectorsRead: 8n, sectorsWritten: 0n };
    const fields = numbers(
      computeDiskIo({ atMs: 1_000, devices: [wrapped] }, primed.state, keep, CONTEXT).metrics[0],
    );
    expect(fields.read_bytes_per_sec).toBe(16 * 512);
    expect(fields.reads_per_sec).toBe(0);
  });
});
