/**
 * Per-process files of /proc (proc(5)): `/proc/<pid>/stat` and `/proc/<pid>/io`, and /etc/passwd
 * to name the owners.
 */
import type { ProcessStat } from '../readings.js';

/**
 * `/proc/<pid>/stat`. Field 2, the command name, is in parentheses and may itself contain spaces
 * and parentheses, so the other fields are counted from the last `)`. After it, field 3 (state) is
 * index 0: utime is field 14, stime 15, num_threads 20, starttime 22, rss 24.
 */
export function parsePidStat(text: string): ProcessStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const pid = Number(text.slice(0, open).trim());
  const fields = text.slice(close + 2).split(' ');
  const field = (n: number): number => Number(fields[n - 3]);
  const stat: ProcessStat = {
    pid,
    name: text.slice(open + 1, close),
    state: fields[0] ?? '?',
    cpuTicks: field(14) + field(15),
    threads: field(20),
    startTicks: field(22),
    rssPages: field(24),
  };
  const numbers = [pid, stat.cpuTicks, stat.threads, stat.startTicks, stat.rssPages];
  return numbers.every(Number.isFinite) ? stat : undefined;
}

/** `/proc/<pid>/io`: `read_bytes` and `write_bytes`, the bytes that reached the storage layer. */
export function parsePidIo(text: string): { readBytes: bigint | undefined; writeBytes: bigint | undefined } {
  const value = (key: string): bigint | undefined => {
    const match = new RegExp(`^${key}:\\s*(\\d+)$`, 'm').exec(text);
    return match?.[1] === undefined ? undefined : BigInt(match[1]);
  };
  return { readBytes: value('read_bytes'), writeBytes: value('write_bytes') };
}

/** uid → user name from /etc/passwd (`name:x:uid:gid:...`). */
export function parsePasswd(text: string): Map<number, string> {
  const names = new Map<number, string>();
  for (const line of text.split('\n')) {
    const [name, , uid] = line.split(':');
    if (name && uid !== undefined && /^\d+$/.test(uid) && !names.has(Number(uid)))
      names.set(Number(uid), name);
  }
  return names;
}
