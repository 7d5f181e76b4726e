/** CPU time of another process, from /proc/<pid>/stat (Linux only), summed over all its threads. */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

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
 * The sum of proc(5) stat fields `fields` (clock ticks) of `stat`, the text of a /proc/.../stat file,
 * in seconds. Counted after the last `)` because field 2, the command name, may itself contain
 * spaces and parentheses. `source` names the file in the error for text of another shape.
 */
export function statCpuSeconds(stat: string, fields: readonly number[], source: string): number {
  const values = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // values[0] is field 3 (state), so field N is values[N - 3].
  const ticks = fields.map((field) => Number(values[field - 3]));
  if (!ticks.every(Number.isFinite)) throw new Error(`unexpected ${source}: ${stat}`);
  return ticks.reduce((sum, value) => sum + value, 0) / clockTicksPerSecond();
}

/**
 * utime + stime of `pid` (fields 14 and 15) and, of it, stime alone: the CPU spent in the kernel on
 * its behalf (system calls: socket reads and writes, and on loopback TCP the receiving side's
 * protocol work), in seconds, from one read of /proc/<pid>/stat.
 */
export function processCpuTimes(pid: number): { total: number; kernel: number } {
  const file = `/proc/${pid}/stat`;
  const stat = readFileSync(file, 'utf8');
  return { total: statCpuSeconds(stat, [14, 15], file), kernel: statCpuSeconds(stat, [15], file) };
}

/** utime + stime of `pid` in seconds (fields 14 and 15). */
export function processCpuSeconds(pid: number): number {
  return processCpuTimes(pid).total;
}

/**
 * utime + stime of each thread of `pid` in seconds, by thread id (/proc/<pid>/task/<tid>/stat). The
 * main thread's id is the pid; worker threads, libuv's pool and V8's helpers are the others (all
 * named "node", so told apart by their CPU only). A thread gone between the listing and the read
 * is left out.
 */
export function threadCpuSeconds(pid: number): Map<number, number> {
  const threads = new Map<number, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const file = `/proc/${pid}/task/${tid}/stat`;
    let stat: string;
    try {
      stat = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    threads.set(Number(tid), statCpuSeconds(stat, [14, 15], file));
  }
  return threads;
}

/** CPU seconds each thread used between two `threadCpuSeconds` readings: the main thread's and the others', busiest first. */
export function threadCpuBetween(
  pid: number,
  before: Map<number, number>,
  after: Map<number, number>,
): { main: number; others: number[] } {
  let main = 0;
  const others: number[] = [];
  for (const [tid, seconds] of after) {
    const used = seconds - (before.get(tid) ?? 0);
    if (tid === pid) main = used;
    else others.push(used);
  }
  return { main, others: others.sort((a, b) => b - a) };
}
