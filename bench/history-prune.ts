/**
 * `npm run bench:history-prune`: how long the history store's retention pass takes over a large
 * backlog, and what it costs the rest of the process meanwhile: the longest event-loop stall (the
 * pruner yields every few milliseconds, so it should stay in that range, not in the pass's length)
 * and how many live writes got through while it ran (a write every 2 ms, as the test did before this
 * measurement moved here from the suite: a timing figure depends on the machine's load).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { parseLineProtocol } from '../core/codecs/line-protocol.js';
import { openHistoryDatabase, writeRetention } from '../sinks/history/database.js';
import { PointBatchBuilder, SeriesRegistry } from '../sinks/history/point-batch.js';
import { Pruner } from '../sinks/history/prune.js';
import { HistoryWriter } from '../sinks/history/writer.js';

const { values } = parseArgs({
  strict: true,
  options: { points: { type: 'string' }, series: { type: 'string' }, runs: { type: 'string' } },
});
const POINTS = Number(values.points ?? 200_000);
const SERIES = Number(values.series ?? 20);
const RUNS = Number(values.runs ?? 3);
const DAY_MS = 86_400_000;
/** The pruner yields after 5 ms of work; a stall well beyond that means it held the loop. */
const TARGET_STALL_MS = 100;

const out = (line = ''): void => void process.stdout.write(`${line}\n`);

async function run(): Promise<{ ms: number; stallMs: number; loopP99Ms: number; writes: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'busbar-bench-prune-'));
  const db = openHistoryDatabase(join(dir, 'history.db'));
  try {
    writeRetention(db, {
      rawUs: 2 * DAY_MS * 1000,
      minuteUs: 30 * DAY_MS * 1000,
      hourUs: 730 * DAY_MS * 1000,
    });
    const writer = new HistoryWriter(db);
    const builder = new PointBatchBuilder(new SeriesRegistry(writer.knownSeries()));
    const write = (source: string, lines: string): number => {
      builder.add(source, parseLineProtocol(lines, { precision: 'ms' }).metrics);
      const batch = builder.take();
      return batch === undefined ? 0 : writer.write(batch);
    };
    const now = Date.now();
    const old = now - 3 * DAY_MS;
    for (let start = 0; start < POINTS; start += 20_000) {
      const lines: string[] = [];
      for (let i = start; i < Math.min(POINTS, start + 20_000); i++)
        lines.push(`m,s=${i % SERIES} v=${i} ${old + i}`);
      write('s', lines.join('\n'));
    }

    let stallMs = 0;
    let last = performance.now();
    const lag = setInterval(() => {
      const at = performance.now();
      stallMs = Math.max(stallMs, at - last);
      last = at;
    }, 1);
    let writes = 0;
    const live = setInterval(() => {
      writes += write('live', `m v=1 ${now + writes}`);
    }, 2);
    const histogram = monitorEventLoopDelay({ resolution: 1 });
    histogram.enable();
    const result = await new Pruner(db, {
      rawUs: 2 * DAY_MS * 1000,
      minuteUs: 30 * DAY_MS * 1000,
      hourUs: 730 * DAY_MS * 1000,
    }).run();
    histogram.disable();
    clearInterval(lag);
    clearInterval(live);
    if (result.points !== POINTS) throw new Error(`pruned ${result.points} points, expected ${POINTS}`);
    return { ms: result.ms, stallMs, loopP99Ms: histogram.percentile(99) / 1e6, writes };
  } finally {
    db.close();
    await rm(dir, { recursive: true, force: true });
  }
}

out(
  `history prune: ${POINTS.toLocaleString('en')} points over ${SERIES} series past retention, ${RUNS} runs`,
);
out('| run | prune ms | points/s | longest stall ms | loop delay p99 ms | live writes during prune |');
out('| --- | -------- | -------- | ---------------- | ----------------- | ------------------------ |');
let worst = 0;
for (let i = 1; i <= RUNS; i++) {
  const r = await run();
  worst = Math.max(worst, r.stallMs);
  const rate = Math.round(POINTS / (r.ms / 1000));
  out(
    `| ${i} | ${r.ms} | ${rate.toLocaleString('en')} | ${r.stallMs.toFixed(1)} | ${r.loopP99Ms.toFixed(1)} | ${r.writes} (${(r.writes / (r.ms / 2)).toFixed(2)} of one per 2 ms) |`,
  );
}
out(`longest stall ${worst.toFixed(1)} ms (goal on an unloaded machine: < ${TARGET_STALL_MS} ms)`);
