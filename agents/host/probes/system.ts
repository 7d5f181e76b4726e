/** Probes answered by systeminformation and Node's os module. */
import { readdir } from 'node:fs/promises';
import os from 'node:os';
import si from 'systeminformation';
import { readSysTemperatures } from '../linux/sys-temperatures.js';
import { readUtmpSessions } from '../linux/utmp.js';
import type { MemReading, SystemReading, TempReading } from '../readings.js';

/** Entries of /proc named by a number: one per process. Undefined where there is no /proc. */
export async function countProcesses(): Promise<number | undefined> {
  if (process.platform !== 'linux') return undefined;
  const entries = await readdir('/proc');
  return entries.reduce((count, name) => (isPid(name) ? count + 1 : count), 0);
}

export function isPid(name: string): boolean {
  const code = name.charCodeAt(0);
  return code >= 0x30 && code <= 0x39 && /^\d+$/.test(name);
}

export async function readSystem(): Promise<SystemReading> {
  const [load1 = 0, load5 = 0, load15 = 0] = os.loadavg();
  // On Linux from utmp: systeminformation would start `who` and `w` at every sample (see there).
  const sessions =
    process.platform === 'linux' ? readUtmpSessions() : si.users().then((users) => users.length);
  const [users, processes] = await Promise.all([sessions, countProcesses()]);
  return {
    load1,
    load5,
    load15,
    uptimeSeconds: os.uptime(),
    cpus: os.cpus().length,
    users,
    processes,
  };
}

export async function readMem(): Promise<MemReading> {
  const mem = await si.mem();
  return {
    total: mem.total,
    free: mem.free,
    available: mem.available,
    buffers: mem.buffers,
    cached: mem.cached,
    swapTotal: mem.swaptotal,
    swapUsed: mem.swapused,
    swapFree: mem.swapfree,
  };
}

export async function readTemperatures(): Promise<TempReading> {
  // On Linux from /sys directly: systeminformation would block the event loop on a shell (see there).
  if (process.platform === 'linux') return readSysTemperatures();
  const temperatures = await si.cpuTemperature();
  // The typings say number; on a host without sensors the values are null (seen on Linux VMs).
  return {
    main: temperatures.main as number | null,
    cores: temperatures.cores ?? [],
    socket: temperatures.socket ?? [],
    chipset: temperatures.chipset as number | null | undefined,
  };
}
