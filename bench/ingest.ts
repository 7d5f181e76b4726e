/**
 * `npm run bench:ingest`: end-to-end points per second from MQTT publishers (line protocol, many
 * lines per message) through busbar into VictoriaMetrics and the history store, next to the ceiling
 * of posting the same lines straight to VictoriaMetrics over HTTP in the same run. Prints the ratio,
 * busbar's peak RSS and CPU, and proves zero loss by counting what each database holds.
 * `--workload onepoint` sends one JSON point per message on `bench/<host>` through an ingest rule
 * instead (see ingest-onepoint.ts): the fixed cost of every stage, paid once per point.
 * Exits 1 when a point is missing (or duplicated) or a process dies.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import mqtt from 'mqtt';
import { cpuSecondsWithChildren, memoryBytes } from './agent-proc.js';
import {
  generateMessages,
  onMetricTopic,
  postAll,
  publishAll,
  type LoadMessage,
  type LoadSpec,
} from './ingest-load.js';
import { generateOnePoint, onePointRuleYaml } from './ingest-onepoint.js';
import { startBusbar, startVictoriaMetrics, type BenchProcess } from './ingest-processes.js';
import { countHistory, countVictoriaMetrics } from './ingest-verify.js';
import { threadCpuBetween, threadCpuSeconds } from './process-cpu.js';

const USAGE = `usage: npm run bench:ingest -- [options]
  --lines N         lines in total                    (default 1000000)
  --per-message N   lines per MQTT message            (default 100)
  --fields N        float fields per line             (default 1)
  --series N        distinct series (tag sets)        (default 1000)
  --publishers N    MQTT publishing connections       (default 4)
  --window N        QoS 1 messages in flight per publisher (default 8)
  --batch N         lines per write request (sink and ceiling) (default 5000)
  --journal LIST    intake journal modes to run, comma-separated: off, fsync, write (default off,fsync)
  --workload NAME   lines: line protocol on busbar/metrics/... (default);
                    onepoint: one JSON point per message on bench/<host> through an ingest rule
                    (--per-message and --fields do not apply)
  --warmup N        lines published before the measurement starts, so that the figures are those of
                    a busbar whose code the JIT has already compiled (default: a fifth of --lines)
  --profile DIR     run busbar under node --cpu-prof, profiles written to DIR`;

const log = (line: string): void => void process.stderr.write(`${line}\n`);
const rate = (count: number, ms: number): string => Math.round((count / ms) * 1000).toLocaleString('en-US');
const signed = (value: number): string => `${value >= 0 ? '+' : ''}${value.toFixed(1)}`;
const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

function options(): LoadSpec & {
  publishers: number;
  window: number;
  batch: number;
  journal: JournalMode[];
  workload: 'lines' | 'onepoint';
  profile: string | undefined;
  warmup: number;
} {
  const { values } = parseArgs({
    strict: true,
    options: Object.fromEntries(
      [
        'lines',
        'per-message',
        'fields',
        'series',
        'publishers',
        'window',
        'batch',
        'journal',
        'workload',
        'profile',
        'warmup',
      ].map((name) => [name, { type: 'string' }]),
    ) as Record<string, { type: 'string' }>,
  });
  const count = (name: string, fallback: number, least = 1): number => {
    const text = values[name];
    if (text === undefined) return fallback;
    const value = Number(String(text).replace(/_/g, ''));
    if (!Number.isInteger(value) || value < least)
      throw new Error(`--${name}: an integer of at least ${least}\n${USAGE}`);
    return value;
  };
  const workload = values.workload === undefined ? 'lines' : String(values.workload);
  if (workload !== 'lines' && workload !== 'onepoint')
    throw new Error(`--workload: "${workload}" is not lines or onepoint\n${USAGE}`);
  const onePoint = workload === 'onepoint';
  const lines = count('lines', onePoint ? 100_000 : 1_000_000);
  return {
    workload,
    profile: values.profile === undefined ? undefined : String(values.profile),
    lines,
    warmup: count('warmup', Math.floor(lines / 5), 0),
    linesPerMessage: onePoint ? 1 : count('per-message', 100),
    fields: onePoint ? 1 : count('fields', 1),
    series: count('series', 1_000),
    publishers: count('publishers', 4),
    window: count('window', 8),
    batch: count('batch', 5_000),
    journal: journalModes(values.journal === undefined ? 'off,fsync' : String(values.journal)),
  };
}

function journalModes(text: string): JournalMode[] {
  const modes = text.split(',').map((mode) => mode.trim());
  for (const mode of modes) {
    if (!(mode in JOURNAL_MODES))
      throw new Error(`--journal: "${mode}" is not off, fsync or write\n${USAGE}`);
  }
  return modes as JournalMode[];
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
  let lastInflux = '';
  client.on('message', (topic, payload) => {
    if (topic.endsWith('/influxdb')) lastInflux = payload.toString();
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
            `timed out: ${progress.influx}/${lines} lines in VictoriaMetrics, ${progress.history}/${points} in history; sink statistics: ${lastInflux}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return performance.now();
    },
    close: () => client.endAsync(),
  };
}

/** The intake journal settings a pass runs with: off, on with fdatasync (the default), on without. */
const JOURNAL_MODES = {
  off: { enabled: false, fsync: false },
  fsync: { enabled: true, fsync: true },
  write: { enabled: true, fsync: false },
} as const;
type JournalMode = keyof typeof JOURNAL_MODES;

interface PassResult {
  readonly mode: JournalMode;
  readonly publishedMs: number;
  readonly endToEndMs: number;
  readonly busbarCpu: number;
  /** The same CPU by thread: the main thread (the event loop) and the others, busiest first. */
  readonly threads: { main: number; others: number[] };
  readonly vmCpu: number;
  readonly rssMax: number;
  readonly generatorBusy: number;
  readonly inVm: number;
  readonly inHistory: number;
}

/** One busbar, fed the whole load through MQTT, until both stores hold every point. */
async function busbarPass(
  spec: ReturnType<typeof options>,
  mode: JournalMode,
  vm: BenchProcess,
  vmUrl: string,
  startMs: number,
): Promise<PassResult> {
  const points = spec.lines * spec.fields;
  const measurement = `journal${mode}`;
  const onePoint = spec.workload === 'onepoint';
  const load = workloadMessages(spec, measurement, startMs);
  // The warm-up's points are a day older than the measured ones: no (series, time) in common.
  const warmup = { ...spec, lines: spec.warmup };
  const warmupLoad = spec.warmup > 0 ? workloadMessages(warmup, measurement, startMs - 86_400_000) : [];
  const warmupPoints = spec.warmup * spec.fields;
  const busbar = await startBusbar({
    vmUrl,
    batchSize: spec.batch,
    journal: JOURNAL_MODES[mode],
    extraYaml: onePoint ? onePointRuleYaml(measurement) : [],
    nodeArgs: spec.profile === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${spec.profile}`],
  });
  try {
    const brokerUrl = `mqtt://127.0.0.1:${busbar.port}`;
    const stats = await watchStats(brokerUrl);
    if (warmupLoad.length > 0) {
      await Promise.race([publishAll(brokerUrl, warmupLoad, spec.publishers, spec.window), busbar.crashed]);
      await Promise.race([stats.done(spec.warmup, warmupPoints, 30_000), busbar.crashed]);
    }
    const busbarCpu0 = cpuSecondsWithChildren(busbar.pid);
    const threads0 = threadCpuSeconds(busbar.pid);
    const vmCpu0 = cpuSecondsWithChildren(vm.pid);
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
    const end = await Promise.race([
      stats.done(spec.warmup + spec.lines, warmupPoints + points, 30_000),
      busbar.crashed,
    ])
      .catch((error: unknown) => {
        log(busbar.output());
        throw error;
      })
      .finally(() => clearInterval(sampler));
    const busbarCpu = cpuSecondsWithChildren(busbar.pid) - busbarCpu0;
    const threads = threadCpuBetween(busbar.pid, threads0, threadCpuSeconds(busbar.pid));
    const vmCpu = cpuSecondsWithChildren(vm.pid) - vmCpu0;
    rssMax = Math.max(rssMax, memoryBytes(busbar.pid).peak);
    await stats.close();
    return {
      mode,
      publishedMs,
      endToEndMs: end - t1,
      busbarCpu,
      threads,
      vmCpu,
      rssMax,
      generatorBusy: (generatorCpu.user + generatorCpu.system) / 1000 / publishedMs,
      // What the stores hold beyond the warm-up's points.
      inVm: (await countVictoriaMetrics(vmUrl, measurement)) - warmupPoints,
      inHistory: countHistory(busbar.historyPath, measurement) - warmupPoints,
    };
  } finally {
    await busbar.stop();
  }
}

/** What the publishers send in one pass. */
function workloadMessages(
  spec: ReturnType<typeof options>,
  measurement: string,
  startMs: number,
): LoadMessage[] {
  if (spec.workload === 'onepoint') return generateOnePoint(spec, measurement, startMs).messages;
  return onMetricTopic(generateMessages(spec, measurement, startMs));
}

/** The same points as line protocol, for the direct-HTTP reference. */
function referenceLines(spec: ReturnType<typeof options>, startMs: number): Buffer[] {
  if (spec.workload === 'onepoint') return generateOnePoint(spec, 'benchref', startMs).lines;
  return generateMessages(spec, 'benchref', startMs);
}

async function main(): Promise<number> {
  const spec = options();
  const points = spec.lines * spec.fields;
  const messages = Math.ceil(spec.lines / spec.linesPerMessage);
  log(
    `ingest (${spec.workload}): ${spec.lines.toLocaleString('en-US')} lines × ${spec.fields} field(s), ${spec.linesPerMessage} lines/message, ` +
      `${spec.series} series, ${spec.publishers} publishers × ${spec.window} in flight (QoS 1), ` +
      `after a warm-up of ${spec.warmup.toLocaleString('en-US')} lines; ` +
      `${os.cpus().length} CPUs, node ${process.version}`,
  );
  const processes: BenchProcess[] = [];
  try {
    const vm = await startVictoriaMetrics();
    processes.push(vm);
    const vmUrl = `http://127.0.0.1:${vm.port}`;
    const startMs = Date.now() - 3_600_000;
    const reference = referenceLines(spec, startMs);

    // The ceiling: the same lines straight into VictoriaMetrics, nothing in between.
    // One buffer per message (lines) or per point (onepoint): `spec.batch` lines per request either way.
    const perRequest = Math.max(1, Math.round(spec.batch / spec.linesPerMessage));
    const vmCpu0 = cpuSecondsWithChildren(vm.pid);
    const t0 = performance.now();
    await Promise.race([postAll(vmUrl, reference, perRequest, 2), vm.crashed]);
    const ceilingMs = performance.now() - t0;
    const ceilingCpu = cpuSecondsWithChildren(vm.pid) - vmCpu0;
    log(
      `  direct HTTP to VictoriaMetrics: ${rate(spec.lines, ceilingMs)} lines/s (VictoriaMetrics CPU ${(((ceilingCpu * 1000) / ceilingMs) * 100).toFixed(0)}%)`,
    );

    // The same load through busbar without the journal, and with it (the default: fdatasync).
    const passes: PassResult[] = [];
    for (const mode of spec.journal) {
      const result = await busbarPass(spec, mode, vm, vmUrl, startMs);
      log(`  busbar, journal ${mode}: ${rate(spec.lines, result.endToEndMs)} lines/s end to end`);
      passes.push(result);
    }

    const row = (label: string, count: number, ms: number): string =>
      `| ${label} | ${rate(count, ms)} | ${rate(points, ms)} | ${(ms / 1000).toFixed(1)} s |`;
    const cpuPerMessageUs = (pass: PassResult): number => (pass.busbarCpu * 1e6) / messages;
    const perMessage = (seconds: number): string => ((seconds * 1e6) / messages).toFixed(1);
    const sum = (values: number[]): number => values.reduce((total, value) => total + value, 0);
    const lines = [
      '',
      `| path                                 | lines/s | points/s | time |`,
      `| ------------------------------------ | ------- | -------- | ---- |`,
      row('direct HTTP → VictoriaMetrics', spec.lines, ceilingMs),
    ];
    for (const pass of passes) {
      lines.push(
        row(`MQTT → busbar, journal ${pass.mode} (accepted by broker)`, spec.lines, pass.publishedMs),
      );
      lines.push(
        row(`MQTT → busbar, journal ${pass.mode} → VictoriaMetrics + history`, spec.lines, pass.endToEndMs),
      );
    }
    lines.push('');
    for (const pass of passes) {
      lines.push(
        `journal ${pass.mode}: end to end / direct ceiling ${((ceilingMs / pass.endToEndMs) * 100).toFixed(0)}%; ` +
          `busbar CPU ${pass.busbarCpu.toFixed(1)} s = ${cpuPerMessageUs(pass).toFixed(1)} µs per message ` +
          `(${((pass.busbarCpu * 1e6) / points).toFixed(2)} µs per point), ` +
          `${(((pass.busbarCpu * 1000) / pass.endToEndMs) * 100).toFixed(0)}% of one core ` +
          `(main thread ${perMessage(pass.threads.main)} µs, other threads ${perMessage(sum(pass.threads.others))} µs per message, ` +
          `busiest ${pass.threads.others.slice(0, 3).map(perMessage).join(' / ')}); peak RSS ${mib(pass.rssMax)}; ` +
          `VictoriaMetrics CPU ${(((pass.vmCpu * 1000) / pass.endToEndMs) * 100).toFixed(0)}%; ` +
          `load generator ${(pass.generatorBusy * 100).toFixed(0)}% of one core; ` +
          `stored: VictoriaMetrics ${pass.inVm.toLocaleString('en-US')}, history ${pass.inHistory.toLocaleString('en-US')} / ${points.toLocaleString('en-US')}`,
      );
    }
    const off = passes.find((pass) => pass.mode === 'off');
    for (const pass of passes) {
      if (off === undefined || pass === off) continue;
      lines.push(
        `cost of durable acknowledgement (journal ${pass.mode} vs off, same run): throughput ×${(off.endToEndMs / pass.endToEndMs).toFixed(2)} end to end, ` +
          `×${(off.publishedMs / pass.publishedMs).toFixed(2)} accepted; CPU per message ×${(cpuPerMessageUs(pass) / cpuPerMessageUs(off)).toFixed(2)} ` +
          `(${signed(cpuPerMessageUs(pass) - cpuPerMessageUs(off))} µs)`,
      );
    }
    process.stdout.write(`${lines.join('\n')}\n`);
    if (passes.some((pass) => pass.inVm !== points || pass.inHistory !== points)) {
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
