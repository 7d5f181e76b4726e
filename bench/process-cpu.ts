/** CPU time of another process, from /proc/<pid>/stat (Linux only), summed over all its threads. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;

/** `getconf CLK_TCK`: the unit of utime/stime (USER_HZ, 100 on practically every Linux). */
export function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    const output = execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim();
    const value = Number(output);
    if (!Number.isInteger(value) || value <= 0)
      throw new Error(`getconf CLK_TCK printed ${JSON.stringify(output)}`);
    ticksPerSecond = value;
  }
  return ticksPerSecond;
}

/**
 * utime + stime of `pid` in seconds. Fields 14 and 15 of proc(5) stat; counted after the last `)`
 * because field 2, the command name, may itself contain spaces and parentheses.
 */
export function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state), so field N is fields[N - 3].
  const utime = Number(fields[14 - 3]);
  const stime = Number(fields[15 - 3]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime))
    throw new Error(`unexpected /proc/${pid}/stat: ${stat}`);
  return (utime + stime) / clockTicksPerSecond();
}
