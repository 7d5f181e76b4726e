/** What one process costs, from /proc (Linux): CPU time including its children, and resident memory. */
import { readFileSync } from 'node:fs';
import { statCpuSeconds } from './process-cpu.js';

/**
 * utime + stime + cutime + cstime of `pid`, in seconds (proc(5) stat fields 14 to 17). The children's
 * part counts the commands the process ran and waited for (`who`, `df`, `lsblk` for
 * systeminformation): they are part of what sampling costs.
 */
export function cpuSecondsWithChildren(pid: number): number {
  const file = `/proc/${pid}/stat`;
  return statCpuSeconds(readFileSync(file, 'utf8'), [14, 15, 16, 17], file);
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
