/** What one process costs, from /proc (Linux): CPU time including its children, and resident memory. */
import { readFileSync } from 'node:fs';
import { clockTicksPerSecond } from './process-cpu.js';

/**
 * utime + stime + cutime + cstime of `pid`, in seconds (proc(5) stat fields 14 to 17). The children's
 * part counts the commands the process ran and waited for (`who`, `df`, `lsblk` for
 * systeminformation): they are part of what sampling costs.
 */
export function cpuSecondsWithChildren(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Counted after the last `)`: the command name may hold spaces. fields[0] is field 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = [14, 15, 16, 17].map((field) => Number(fields[field - 3]));
  if (!ticks.every(Number.isFinite)) throw new Error(`unexpected /proc/${pid}/stat: ${stat}`);
  return ticks.reduce((sum, value) => sum + value, 0) / clockTicksPerSecond();
}

/** Resident set size now and its peak (VmRSS, VmHWM), in bytes. */
export function memoryBytes(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (key: string): number => {
    const match = new RegExp(`^${key}:\\s+(\\d+) kB$`, 'm').exec(status);
    if (!match) throw new Error(`no ${key} in /proc/${pid}/status`);
    return Number(match[1]) * 1024;
  };
  return { rss: kib('VmRSS'), peak: kib('VmHWM') };
}
