import type { BigIntStatsFs } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { computeDisk, diskCollector, selectMounts } from '../../agents/host/collectors/disk.js';
import { parseMounts } from '../../agents/host/linux/mounts.js';
import type { DiskReading, MountUsage } from '../../agents/host/readings.js';
import { within } from '../helpers/mqtt-clients.js';
import { MOUNTS } from './fixtures/proc.js';
import { CONTEXT, agentConfig, numbers } from './helpers.js';

function statsFs(blocks: bigint, bfree: bigint, bavail: bigint, files: bigint, ffree: bigint): BigIntStatsFs {
  return { type: 0xef53n, bsize: 4096n, blocks, bfree, bavail, files, ffree };
}

const usage: MountUsage = {
  mountPoint: '/',
  device: 'vda',
  fsType: 'ext4',
  readOnly: false,
  total: 1000n,
  free: 250n,
  used: 700n, // 50 reserved for root
  inodesTotal: 100n,
  inodesFree: 75n,
};

describe('disk collector', () => {
  it('skips pseudo filesystems and applies the mount point lists', () => {
    const mounts = parseMounts(
      `${MOUNTS}/dev/sdb1 /srv/data xfs rw 0 0\n/dev/sdc1 /snap/core/1 squashfs ro 0 0\n`,
    );
    expect(selectMounts(mounts, agentConfig().disk).map((m) => m.mountPoint)).toEqual(['/', '/srv/data']);
    const only = agentConfig({ disk: { include: ['/srv/*'] } }).disk;
    expect(selectMounts(mounts, only).map((m) => m.mountPoint)).toEqual(['/srv/data']);
    const without = agentConfig({ disk: { exclude: ['/srv/*'] } }).disk;
    expect(selectMounts(mounts, without).map((m) => m.mountPoint)).toEqual(['/']);
  });

  it('computes used_percent as df does (reserved blocks excluded) and inode fields', () => {
    const { metrics } = computeDisk({ mounts: [usage], timedOut: [] }, CONTEXT);
    expect(metrics[0]?.tags).toEqual({ host: 'h1', path: '/', device: 'vda', fstype: 'ext4', mode: 'rw' });
    expect(numbers(metrics[0])).toEqual({
      total: 1000,
      used: 700,
      free: 250,
      used_percent: (700 / 950) * 100,
      inodes_total: 100,
      inodes_used: 25,
      inodes_free: 75,
      inodes_used_percent: 25,
    });
  });

  it('leaves inode fields out on a filesystem without an inode table (btrfs, vfat report 0)', () => {
    const reading: DiskReading = { mounts: [{ ...usage, inodesTotal: 0n, inodesFree: 0n }], timedOut: [] };
    expect(Object.keys(numbers(computeDisk(reading, CONTEXT).metrics[0]))).toEqual([
      'total',
      'used',
      'free',
      'used_percent',
    ]);
  });

  it('reports the other mounts when one statfs never returns, and sends that one no second statfs', async () => {
    const calls: string[] = [];
    const host = {
      mounts: async () => '/dev/vda / ext4 rw 0 0\nnas:/export /mnt/nas nfs4 rw 0 0\n',
      statfs: (path: string) => {
        calls.push(path);
        if (path === '/mnt/nas') return new Promise<BigIntStatsFs>(() => undefined); // a hung NFS server
        return Promise.resolve(statsFs(1000n, 300n, 250n, 100n, 75n));
      },
    };
    const collector = diskCollector(agentConfig().disk, 200, host);
    // The hung statfs never settles: waiting for it would outlast `within`.
    const first = await within(collector.read(undefined), 10_000, 'a read beside a hung NFS mount');
    expect(first.mounts.map((mount) => mount.mountPoint)).toEqual(['/']);
    expect(first.mounts[0]?.total).toBe(1000n * 4096n);
    expect(first.timedOut).toEqual(['/mnt/nas']);
    expect(collector.compute(first, undefined, CONTEXT).timedOut).toEqual(['/mnt/nas']);

    const second = await collector.read(undefined);
    expect(second.timedOut).toEqual(['/mnt/nas']);
    expect(calls.filter((path) => path === '/mnt/nas')).toHaveLength(1);
    expect(calls.filter((path) => path === '/')).toHaveLength(2);
  });
});
