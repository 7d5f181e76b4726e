/**
 * What the probes read from the host, as plain data. Collectors turn readings (and the previous
 * reading's state) into metrics without touching the host, so tests replay recorded readings.
 * `atMs` is a monotonic clock (performance.now()) at the moment of the reading: rates divide by it.
 */

/** Cumulative time of one CPU line of /proc/stat, in clock ticks (USER_HZ). */
export interface CpuTimes {
  user: number;
  nice: number;
  system: number;
  idle: number;
  iowait: number;
  irq: number;
  softirq: number;
  steal: number;
  /** Already included in `user` and `nice` by the kernel; never added to the total again. */
  guest: number;
  guestNice: number;
}

export interface CpuReading {
  atMs: number;
  total: CpuTimes;
  /** `cpu0`, `cpu1`, ... */
  cores: { name: string; times: CpuTimes }[];
}

export interface SystemReading {
  load1: number;
  load5: number;
  load15: number;
  uptimeSeconds: number;
  cpus: number;
  /** Login sessions; undefined when they could not be listed. */
  users: number | undefined;
  processes: number | undefined;
}

/** Bytes. */
export interface MemReading {
  total: number;
  free: number;
  available: number;
  buffers: number;
  cached: number;
  swapTotal: number;
  swapUsed: number;
  swapFree: number;
}

export interface MountUsage {
  mountPoint: string;
  /** `vda`, `sda1`, or the mount source for non-device filesystems (`server:/export`). */
  device: string;
  fsType: string;
  readOnly: boolean;
  /** Bytes. */
  total: bigint;
  /** Bytes available to unprivileged users, as df shows them. */
  free: bigint;
  used: bigint;
  /** 0 on filesystems without an inode table (btrfs, vfat): no inode fields then. */
  inodesTotal: bigint;
  inodesFree: bigint;
}

export interface DiskReading {
  mounts: MountUsage[];
  /** Mount points whose statfs did not answer in time (a hung NFS server): left out and counted. */
  timedOut: string[];
}

/**
 * Cumulative counters of one block device (/proc/diskstats). Sectors stay sectors (512 bytes): the
 * kernel's counter wraps in sectors, so the wrap is only recognisable before converting to bytes.
 */
export interface DiskIoCounters {
  name: string;
  reads: bigint;
  writes: bigint;
  sectorsRead: bigint;
  sectorsWritten: bigint;
}

export interface DiskIoReading {
  atMs: number;
  devices: DiskIoCounters[];
}

/** Cumulative counters of one network interface (/proc/net/dev). */
export interface NetCounters {
  name: string;
  bytesRecv: bigint;
  packetsRecv: bigint;
  errIn: bigint;
  dropIn: bigint;
  bytesSent: bigint;
  packetsSent: bigint;
  errOut: bigint;
  dropOut: bigint;
}

export interface NetReading {
  atMs: number;
  interfaces: NetCounters[];
}

/** °C, as systeminformation's cpuTemperature() reports them; null or absent when there is no sensor. */
export interface TempReading {
  main: number | null;
  cores: number[];
  socket?: number[];
  chipset?: number | null;
}

/** One process from /proc/<pid>/stat. */
export interface ProcessStat {
  pid: number;
  /** The command name (`comm`), at most 15 characters. */
  name: string;
  /** R running, S sleeping, D uninterruptible, Z zombie, T/t stopped, I idle, ... */
  state: string;
  /** utime + stime, clock ticks. */
  cpuTicks: number;
  threads: number;
  /** Start time after boot, clock ticks: with the pid, it names one process for its whole life. */
  startTicks: number;
  rssPages: number;
}

/** Read only for the processes that make the top lists. */
export interface ProcessDetails {
  /** Owner's user name, or the uid as text when it has no name. */
  user: string | undefined;
  /** Undefined when /proc/<pid>/io is not readable (another user's process, without root). */
  readBytes: bigint | undefined;
  writeBytes: bigint | undefined;
}

export interface ProcessesReading {
  atMs: number;
  processes: ProcessStat[];
  /** By pid, for the processes chosen from the previous state (see collectors/processes.ts). */
  details: Map<number, ProcessDetails>;
}

/** Constants of the running host, read once at start. */
export interface HostFacts {
  /** USER_HZ: unit of the CPU times in /proc. */
  clockTicks: number;
  pageSize: number;
  memTotal: number;
  /** Changes at every boot: process ids are only unique within one boot. */
  bootId: string;
}
