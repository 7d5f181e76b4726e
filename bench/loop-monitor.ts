/**
 * Preload for finding what stalls busbar's event loop: `node --import ./dist/bench/loop-monitor.js
 * dist/cli/main.js start ...`. Every LOOP_MONITOR_EVERY_MS it writes one JSON line to stderr with
 * the event-loop delay percentiles (perf_hooks.monitorEventLoopDelay) and the GC pauses of that
 * window; each stall longer than LOOP_MONITOR_STALL_MS (a 1 ms timer that fired late) is listed with
 * its time, so that a CPU profile taken in the same run (`--cpu-prof`) can name the task that held
 * the loop (bench/stalls.ts). `--import` runs it in every worker thread too (the journal's, the
 * ingest's): each line names its thread (0 is the main thread, where the broker runs).
 * On a loaded machine many stalls are the process waiting for a CPU, not busbar's work: the CPU
 * profile tells the two apart (a stall with no long task in it).
 */
import { PerformanceObserver, monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { createWriteStream } from 'node:fs';
import { threadId } from 'node:worker_threads';

const every = Number(process.env.LOOP_MONITOR_EVERY_MS ?? 5_000);
/** LOOP_MONITOR_FILE: append the lines there (bench:broker --loop-monitor) instead of stderr. */
const out = process.env.LOOP_MONITOR_FILE
  ? createWriteStream(process.env.LOOP_MONITOR_FILE, { flags: 'a' })
  : process.stderr;
const stallMs = Number(process.env.LOOP_MONITOR_STALL_MS ?? 2);

const histogram = monitorEventLoopDelay({ resolution: 1 });
histogram.enable();

let gcCount = 0;
let gcTotalMs = 0;
let gcMaxMs = 0;
const observer = new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    gcCount++;
    gcTotalMs += entry.duration;
    gcMaxMs = Math.max(gcMaxMs, entry.duration);
  }
});
observer.observe({ entryTypes: ['gc'] });

const stalls: [at: number, ms: number][] = [];
let last = performance.now();
setInterval(() => {
  const now = performance.now();
  const late = now - last - 1;
  if (late >= stallMs) stalls.push([Math.round(last), Math.round(late * 10) / 10]);
  last = now;
}, 1).unref();

setInterval(() => {
  const ms = (ns: number): number => Math.round(ns / 1e4) / 100;
  out.write(
    `${JSON.stringify({
      loopMonitor: Math.round(performance.now()),
      threadId,
      // performance.now() is relative to timeOrigin; a --cpu-prof profile's times are µs of the
      // same monotonic clock, so timeOrigin ties the two together.
      timeOrigin: performance.timeOrigin,
      delayP50Ms: ms(histogram.percentile(50)),
      delayP99Ms: ms(histogram.percentile(99)),
      delayMaxMs: ms(histogram.max),
      gcCount,
      gcTotalMs: Math.round(gcTotalMs * 10) / 10,
      gcMaxMs: Math.round(gcMaxMs * 10) / 10,
      stalls: stalls.splice(0),
    })}\n`,
  );
  histogram.reset();
  gcCount = 0;
  gcTotalMs = 0;
  gcMaxMs = 0;
}, every).unref();
