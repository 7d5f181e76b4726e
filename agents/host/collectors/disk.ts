/**
 * `disk`: per mount point (tags `path`, `device`, `fstype`, `mode`), size, use and inodes, as df
 * shows them: `free` is what unprivileged users may still write, and `used_percent` is
 * used / (used + free), so the blocks reserved for root do not hide a full disk.
 */
import type { AgentConfig } from '../config-schema.js';
import type { Collector, ComputeContext, Computed } from '../collector.js';
import { Fields, percent, point } from '../fields.js';
import { nameFilter } from '../filter.js';
import type { MountEntry } from '../linux/mounts.js';
import type { Metric } from '../../../core/codecs/metric.js';
import { createDiskProbe, type DiskHost } from '../probes/disk.js';
import type { DiskReading } from '../readings.js';

/** The mounts worth a statfs: real filesystems, filtered by the configured mount point lists. */
export function selectMounts(mounts: MountEntry[], config: AgentConfig['disk']): MountEntry[] {
  const keep = nameFilter(config.include, config.exclude);
  const ignored = new Set(config.ignoreFsTypes);
  return mounts.filter((mount) => !ignored.has(mount.fsType) && keep(mount.mountPoint));
}

export function computeDisk(reading: DiskReading, context: ComputeContext): Computed<undefined> {
  const metrics: Metric[] = [];
  for (const mount of reading.mounts) {
    const fields = new Fields()
      .int('total', mount.total)
      .int('used', mount.used)
      .int('free', mount.free)
      .float('used_percent', percent(Number(mount.used), Number(mount.used + mount.free)));
    if (mount.inodesTotal > 0n) {
      const inodesUsed = mount.inodesTotal - mount.inodesFree;
      fields
        .int('inodes_total', mount.inodesTotal)
        .int('inodes_used', inodesUsed)
        .int('inodes_free', mount.inodesFree)
        .float('inodes_used_percent', percent(Number(inodesUsed), Number(mount.inodesTotal)));
    }
    const tags = {
      host: context.host,
      path: mount.mountPoint,
      device: mount.device,
      fstype: mount.fsType,
      mode: mount.readOnly ? 'ro' : 'rw',
    };
    metrics.push(...point('disk', tags, fields, context.timestamp));
  }
  return { metrics, state: undefined, timedOut: reading.timedOut };
}

export function diskCollector(
  config: AgentConfig['disk'],
  timeoutMs: number,
  host?: DiskHost,
): Collector<DiskReading, undefined> {
  const probe = createDiskProbe((mounts) => selectMounts(mounts, config), timeoutMs, host);
  return {
    name: 'disk',
    measurements: ['disk'],
    read: () => probe(),
    compute: (reading, _previous, context) => computeDisk(reading, context),
  };
}
