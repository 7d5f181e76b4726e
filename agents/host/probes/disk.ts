/**
 * Mount points and their usage: /proc/self/mounts, then one statfs(2) per selected mount. statfs
 * gives sizes and inodes in one call without spawning df. A mount whose statfs does not answer within
 * half the collector's timeout (a hung NFS server) is left out of the sample and reported in
 * `timedOut`, while the others are still published; no second statfs is sent to it until the first
 * returns.
 */
import { statfs } from 'node:fs/promises';
import type { BigIntStatsFs } from 'node:fs';
import { deviceName, parseMounts, type MountEntry } from '../linux/mounts.js';
import type { DiskReading, MountUsage } from '../readings.js';
import { SingleFlight, settleWithin } from '../timeout.js';
import { readProcFile } from './linux.js';

export function mountUsage(mount: MountEntry, stats: BigIntStatsFs): MountUsage {
  const blockSize = stats.bsize;
  return {
    mountPoint: mount.mountPoint,
    device: deviceName(mount.source),
    fsType: mount.fsType,
    readOnly: mount.readOnly,
    total: stats.blocks * blockSize,
    free: stats.bavail * blockSize,
    used: (stats.blocks - stats.bfree) * blockSize,
    inodesTotal: stats.files,
    inodesFree: stats.ffree,
  };
}

/** What the probe needs from the host; tests replace it (a statfs that never returns). */
export interface DiskHost {
  mounts(): Promise<string>;
  statfs(path: string): Promise<BigIntStatsFs>;
}

const linuxHost: DiskHost = {
  mounts: () => readProcFile('/proc/self/mounts'),
  statfs: (path) => statfs(path, { bigint: true }),
};

export function createDiskProbe(
  select: (mounts: MountEntry[]) => MountEntry[],
  timeoutMs: number,
  host: DiskHost = linuxHost,
): () => Promise<DiskReading> {
  const inFlight = new SingleFlight<BigIntStatsFs>();
  const perMountMs = Math.max(1, Math.floor(timeoutMs / 2));
  return async () => {
    const mounts = select(parseMounts(await host.mounts()));
    const usages: MountUsage[] = [];
    const timedOut: string[] = [];
    await Promise.all(
      mounts.map(async (mount) => {
        const call = inFlight.start(mount.mountPoint, () => host.statfs(mount.mountPoint));
        if (call === undefined) {
          timedOut.push(mount.mountPoint); // the previous statfs has still not returned
          return;
        }
        const outcome = await settleWithin(call, perMountMs);
        if (outcome.status === 'ok') usages.push(mountUsage(mount, outcome.value));
        else if (outcome.status === 'timeout') timedOut.push(mount.mountPoint);
        // An error (the mount vanished, EACCES on another user's FUSE mount) just leaves it out.
      }),
    );
    const order = new Map(mounts.map((mount, index) => [mount.mountPoint, index]));
    usages.sort((a, b) => (order.get(a.mountPoint) ?? 0) - (order.get(b.mountPoint) ?? 0));
    return { mounts: usages, timedOut };
  };
}
