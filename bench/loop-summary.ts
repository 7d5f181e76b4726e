/**
 * Reads what bench/loop-monitor.ts wrote (LOOP_MONITOR_FILE) in busbar's process and sums it up
 * over one latency run: whether busbar's own event loop stalled, and how much of that was GC.
 */
import { readFile } from 'node:fs/promises';

interface MonitorLine {
  loopMonitor: number;
  timeOrigin: number;
  threadId: number;
  delayMaxMs: number;
  gcTotalMs: number;
  gcMaxMs: number;
  stalls: [at: number, ms: number][];
}

/** A stall at least this long is counted: at 200 msg/s it delays a message or more. */
const STALL_MS = 5;

/** The main thread's windows that ended between `fromMs` and `toMs` (epoch ms), summed up. */
export async function loopSummary(file: string, fromMs: number, toMs: number): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const lines = text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as MonitorLine)
    .filter((line) => line.threadId === 0)
    .filter(
      (line) => line.timeOrigin + line.loopMonitor > fromMs && line.timeOrigin + line.loopMonitor <= toMs,
    );
  if (lines.length === 0) return "busbar's loop: no loop-monitor lines for this run";
  const stalls = lines.flatMap((line) => line.stalls.map(([, ms]) => ms)).filter((ms) => ms >= STALL_MS);
  const max = (values: number[]): number => values.reduce((a, b) => Math.max(a, b), 0);
  const gc = lines.reduce((sum, line) => sum + line.gcTotalMs, 0);
  return (
    `busbar's loop: delay max ${max(lines.map((l) => l.delayMaxMs)).toFixed(1)} ms, ` +
    `${stalls.length} stalls ≥ ${STALL_MS} ms (${stalls.reduce((a, b) => a + b, 0).toFixed(0)} ms in all, largest ${max(stalls).toFixed(1)} ms), ` +
    `GC ${gc.toFixed(1)} ms (largest pause ${max(lines.map((l) => l.gcMaxMs)).toFixed(1)} ms)`
  );
}
