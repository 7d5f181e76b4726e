/**
 * `npm run bench:ingest`: end-to-end points per second from MQTT publishers (line protocol, many
 * lines per message) through busbar into VictoriaMetrics and the history store, next to the ceiling
 * of posting the same lines straight to VictoriaMetrics over HTTP in the same run. Prints the ratio,
 * busbar's peak RSS and CPU, and proves zero loss by counting what each database holds.
 * Exits 1 when a point is missing (or duplicated) or a process dies.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import mqtt from 'mqtt';
import { cpuSecondsWithChildren, memoryBytes } from './agent-proc.js';
import { generateMessages, postAll, publishAll, type LoadSpec } from './ingest-load.js';
import { startBusbar, startVictoriaMetrics, type BenchProcess } from './ingest-processes.js';
import { countHistory, countVictoriaMetrics } from './ingest-verify.js';

const USAGE = `usage: npm run bench:ingest -- [options]
  --lines N         lines in total                    (default 1000000)
  --per-message N   lines per MQTT message            (default 100)
  --fields N        float fields per line             (default 1)
  --series N        distinct series (tag sets)        (default 1000)
  --publishers N    MQTT publishing connections       (default 4)
  --window N        QoS 1 messages in flight per publisher (default 8)
  --batch N         lines per write request (sink and ceiling) (default 5000)`;

const log = (line: string): void => void process.stderr.write(`${line}\n`);
const rate = (count: number, ms: number): string => Math.round((count / ms) * 1000).toLocaleString('en-US');
const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

function options(): LoadSpec & { publishers: number; window: number; batch: number } {
  const { values } = parseArgs({
    strict: true,
    options: Object.fromEntries(
      ['lines', 'per-message', 'fields', 'series', 'publishers', 'window', 'batch'].map((name) => [
        name,
        { type: 'string' },
      ]),
    ) as Record<string, { type: 'string' }>,
  });
  const count = (name: string, fallback: number): number => {
    const text = values[name];
    if (text === undefined) return fallback;
    const value = Number(String(text).replace(/_/g, ''));
    if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name}: a positive integer\n${USAGE}`);
    return value;
  };
  return {
    lines: count('lines', 1_000_000),
    linesPerMessage: count('per-message', 100),
    fields: count('fields', 1),
    series: count('series', 1_000),
    publishers: count('publishers', 4),
    window: count('window', 8),
    batch: count('batch', 5_000),
  };
}

interface SinkProgress {
  influx: number;
  history: number;
}

/** Follows busbar/stats/influxdb and busbar/stats/history; resolves once both reached the targets. */
async function watchStats(url: string): Promise<{
  progress: SinkProgress;
  done(lines: number, points: number, timeoutMs: number): Promise<number>;
  close(): Promise<void>;
}> {
  const client = await mqtt.connectAsync(url, {
    clientId: 'bench-stats',
    protocolVersion: 4,
    reconnectPeriod: 0,
  });
  const progress: SinkProgress = { influx: 0, history: 0 };
  client.on('message', (topic, payload) => {
    const stats = JSON.parse(payload.toString()) as { written?: number; pointsWritten?: number };
    if (topic.endsWith('/influxdb')) progress.influx = stats.written ?? 0;
    else progress.history = stats.pointsWritten ?? 0;
  });
  await client.subscribeAsync(['busbar/stats/influxdb', 'busbar/stats/history'], { qos: 0 });
  return {
    progress,
    async done(lines, points, timeoutMs) {
      const deadline = performance.now() + timeoutMs;
      while (progress.influx < lines || progress.history < points) {
        if (performance.now() > deadline) {
          throw new Error(
            `timed out: ${progress.influx}/${lines} lines in VictoriaMetrics, ${progress.history}/${points} in history`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return performance.now();
    },
    close: () => client.endAsync(),
  };
}

async function main(): Promise<number> {
  const spec = options();
  const points = spec.lines * spec.fields;
  log(
    `ingest: ${spec.lines.toLocaleString('en-US')} lines × ${spec.fields} field(s), ${spec.linesPerMessage} lines/message, ` +
      `${spec.series} series, ${spec.publishers} publishers × ${spec.window} in flight (QoS 1); ` +
      `${os.cpus().length} CPUs, node ${process.version}`,
  );
  const processes: BenchProcess[] = [];
  try {
    const vm = await startVictoriaMetrics();
    processes.push(vm);
    const vmUrl = `http://127.0.0.1:${vm.port}`;
    const startMs = Date.now() - 3_600_000;
    const reference = generateMessages(spec, 'benchref', startMs);
    const load = generateMessages(spec, 'bench', startMs);

    // The ceiling: the same lines straight into VictoriaMetrics, nothing in between.
    const perRequest = Math.max(1, Math.round(spec.batch / spec.linesPerMessage));
    const vmCpu0 = cpuSecondsWithChildren(vm.pid);
    const t0 = performance.now();
    await Promise.race([postAll(vmUrl, reference, perRequest, 2), vm.crashed]);
    const ceilingMs = performance.now() - t0;
    const ceilingCpu = cpuSecondsWithChildren(vm.pid) - vmCpu0;
    log(
      `  direct HTTP to VictoriaMetrics: ${rate(spec.lines, ceilingMs)} lines/s (VictoriaMetrics CPU ${(((ceilingCpu * 1000) / ceilingMs) * 100).toFixed(0)}%)`,
    );

    const busbar = await startBusbar({ vmUrl, batchSize: spec.batch });
    processes.push(busbar);
    const brokerUrl = `mqtt://127.0.0.1:${busbar.port}`;
    const stats = await watchStats(brokerUrl);
    const busbarCpu0 = cpuSecondsWithChildren(busbar.pid);
    const vmCpu1 = cpuSecondsWithChildren(vm.pid);
    let rssMax = 0;
    const sampler = setInterval(() => (rssMax = Math.max(rssMax, memoryBytes(busbar.pid).rss)), 100);
    const generatorCpu0 = process.cpuUsage();
    const t1 = performance.now();
    await Promise.race([
      publishAll(brokerUrl, load, spec.publishers, spec.window),
      busbar.crashed,
      vm.crashed,
    ]);
    const publishedMs = performance.now() - t1;
    const generatorCpu = process.cpuUsage(generatorCpu0);
    const generatorBusy = (generatorCpu.user + generatorCpu.system) / 1000 / publishedMs;
    const end = await Promise.race([stats.done(spec.lines, points, 300_000), busbar.crashed]);
    const endToEndMs = end - t1;
    clearInterval(sampler);
    const busbarCpu = cpuSecondsWithChildren(busbar.pid) - busbarCpu0;
    const vmCpu = cpuSecondsWithChildren(vm.pid) - vmCpu1;
    const memory = memoryBytes(busbar.pid);
    await stats.close();

    const inVm = await countVictoriaMetrics(vmUrl, 'bench');
    const inHistory = countHistory(busbar.historyPath, 'bench');
    const ratio = ceilingMs / endToEndMs;
    const lines = [
      '',
      `| path                                 | lines/s | points/s | time |`,
      `| ------------------------------------ | ------- | -------- | ---- |`,
      `| direct HTTP → VictoriaMetrics        | ${rate(spec.lines, ceilingMs)} | ${rate(points, ceilingMs)} | ${(ceilingMs / 1000).toFixed(1)} s |`,
      `| MQTT → busbar (accepted by broker)   | ${rate(spec.lines, publishedMs)} | ${rate(points, publishedMs)} | ${(publishedMs / 1000).toFixed(1)} s |`,
      `| MQTT → busbar → VictoriaMetrics + history (end to end) | ${rate(spec.lines, endToEndMs)} | ${rate(points, endToEndMs)} | ${(endToEndMs / 1000).toFixed(1)} s |`,
      '',
      `end to end / direct ceiling: ${(ratio * 100).toFixed(0)}%`,
      `busbar: peak RSS ${mib(Math.max(memory.peak, rssMax))} (now ${mib(memory.rss)}), CPU ${busbarCpu.toFixed(1)} s = ${(((busbarCpu * 1000) / endToEndMs) * 100).toFixed(0)}% of one core; VictoriaMetrics CPU ${(((vmCpu * 1000) / endToEndMs) * 100).toFixed(0)}%`,
      `load generator (this process) while publishing: ${(generatorBusy * 100).toFixed(0)}% of one core`,
      `stored: VictoriaMetrics ${inVm.toLocaleString('en-US')} / ${points.toLocaleString('en-US')} points, history ${inHistory.toLocaleString('en-US')} / ${points.toLocaleString('en-US')}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    if (inVm !== points || inHistory !== points) {
      log('FAIL: the databases do not hold exactly the points published');
      return 1;
    }
    return 0;
  } finally {
    await Promise.all(processes.reverse().map((p) => p.stop()));
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    log(`FAIL ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
