import { describe, expect, it } from 'vitest';
import { parseDiskstats } from '../../agents/host/linux/diskstats.js';
import { deviceName, parseMounts } from '../../agents/host/linux/mounts.js';
import { parseNetDev } from '../../agents/host/linux/net-dev.js';
import { parsePasswd, parsePidIo, parsePidStat } from '../../agents/host/linux/proc-pid.js';
import { parseProcStat } from '../../agents/host/linux/proc-stat.js';
import { DISKSTATS, MOUNTS, NET_DEV, PROC_STAT } from './fixtures/proc.js';

describe('Linux /proc parsers, on recorded files', () => {
  it('/proc/stat: the total and each core, every state', () => {
    const { total, cores } = parseProcStat(PROC_STAT);
    expect(cores.map((core) => core.name)).toEqual(['cpu0', 'cpu1']);
    expect(total).toEqual({
      user: 166058,
      nice: 0,
      system: 42055,
      idle: 336626,
      iowait: 319,
      irq: 0,
      softirq: 3943,
      steal: 47,
      guest: 0,
      guestNice: 0,
    });
    // An old kernel without steal and guest columns.
    expect(parseProcStat('cpu 1 2 3 4\n').total).toMatchObject({ idle: 4, steal: 0, guestNice: 0 });
    expect(() => parseProcStat('intr 1\n')).toThrow(/no "cpu" line/);
  });

  it('/proc/diskstats: operations and sectors read and written', () => {
    const vda = parseDiskstats(DISKSTATS).find((device) => device.name === 'vda');
    expect(vda).toEqual({
      name: 'vda',
      reads: 60125n,
      writes: 20174n,
      sectorsRead: 3223602n,
      sectorsWritten: 3197224n,
    });
    expect(parseDiskstats(DISKSTATS).map((device) => device.name)).toContain('loop0');
  });

  it('/proc/net/dev: receive and transmit counters, even when the name touches the number', () => {
    const parsed = parseNetDev(NET_DEV);
    expect(parsed.map((entry) => entry.name)).toEqual(['lo', 'ifb0', 'ifb1', 'eth0']);
    expect(parsed.find((entry) => entry.name === 'eth0')).toMatchObject({
      bytesRecv: 462108612n,
      packetsRecv: 15938n,
      bytesSent: 1637082n,
      packetsSent: 11945n,
    });
    const tight = parseNetDev(`h\nh\neth1:4294967295 1 2 3 0 0 0 0 9 8 7 6 0 0 0 0\n`);
    expect(tight[0]).toMatchObject({ name: 'eth1', bytesRecv: 4294967295n, errIn: 2n, dropOut: 6n });
  });

  it('/proc/self/mounts: octal escapes, read-only flag, the last mount on a point wins', () => {
    const mounts = parseMounts(
      `${MOUNTS}/dev/sdb1 /mnt/my\\040data ext4 ro,relatime 0 0\n/dev/sdc1 /mnt/my\\040data xfs rw 0 0\n`,
    );
    expect(mounts.find((mount) => mount.mountPoint === '/')).toEqual({
      source: '/dev/vda',
      mountPoint: '/',
      fsType: 'ext4',
      readOnly: false,
    });
    expect(mounts.filter((mount) => mount.mountPoint === '/mnt/my data')).toEqual([
      { source: '/dev/sdc1', mountPoint: '/mnt/my data', fsType: 'xfs', readOnly: false },
    ]);
    expect(deviceName('/dev/mapper/vg-root')).toBe('mapper/vg-root');
    expect(deviceName('server:/export')).toBe('server:/export');
  });

  it('/proc/<pid>/stat: a command name with spaces and parentheses does not shift the fields', () => {
    const text =
      '4242 (my (odd) name) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 7 0 123456 ' +
      '1000000 512 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0';
    expect(parsePidStat(text)).toEqual({
      pid: 4242,
      name: 'my (odd) name',
      state: 'S',
      cpuTicks: 300,
      threads: 7,
      startTicks: 123456,
      rssPages: 512,
    });
    expect(parsePidStat('garbage')).toBeUndefined();
  });

  it('/proc/<pid>/io and /etc/passwd', () => {
    expect(parsePidIo('rchar: 6976\nread_bytes: 4096\nwrite_bytes: 0\ncancelled_write_bytes: 0\n')).toEqual({
      readBytes: 4096n,
      writeBytes: 0n,
    });
    const names = parsePasswd(
      'root:x:0:0:root:/root:/bin/bash\nwww-data:x:33:33::/var/www:/usr/sbin/nologin\n',
    );
    expect(names.get(0)).toBe('root');
    expect(names.get(33)).toBe('www-data');
  });
});
