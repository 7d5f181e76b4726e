/**
 * `npm run bench:ingest`: end-to-end points per second from MQTT publishers (line protocol, many
 * lines per message) through busbar into VictoriaMetrics and the history store, next to two
 * references measured in the same run: the ceiling of posting the same lines straight to
 * VictoriaMetrics over HTTP, and the pipeline a site runs without busbar (Mosquitto and a plain
 * subscriber posting batches to the same VictoriaMetrics, ingest-reference.ts). Prints the ratios,
 * peak RSS and CPU, and proves zero loss by counting what each database holds.
 * `--workload onepoint` sends one point per message instead (see ingest-onepoint.ts): a JSON object
 * on `bench/<host>` through an ingest rule, or one line of line protocol on busbar's metric topic
 * (`--payload`), at QoS 1 or 0 (`--qos`): the fixed cost of every stage, paid once per point.
 * Exits 1 when a QoS 1 point is missing (or duplicated) or a process dies.
 */
import os from 'node:os';
import path from 'node:path';
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
import {
  generateOnePoint,
  onePointFilter,
  onePointRuleYaml,
  type OnePointFormat,
} from './ingest-onepoint.js';
import { startBusbar, startVictoriaMetrics, type BenchProcess } from './ingest-processes.js';
import { referencePass } from './ingest-reference.js';
import { report, type BusbarPass, type ReferencePassResult, type Ceiling } from './ingest-report.js';
import { countHistory, countVictoriaMetrics } from './ingest-verify.js';
import { threadCpuBetween, threadCpuSeconds } from './process-cpu.js';

const USAGE = `usage: npm run bench:ingest -- [options]
  --lines N         lines in total                    (default 1000000; onepoint 100000)
  --per-message N   lines per MQTT message            (default 100)
  --fields N        float fields per line             (default 1)
  --series N        distinct series (tag sets)        (default 1000)
  --publishers N    MQTT publishing connections       (default 4)
  --window N        messages in flight per publisher  (default 8)
  --batch N         lines per write request (sink, reference client and ceiling) (default 5000)
  --journal LIST    intake journal modes of the QoS 1 passes, comma-separated: off, fsync, write
                    (default off,fsync)
  --qos LIST        QoS of the publishers, comma-separated: 1, 0 (default 1; onepoint 1,0); the
                    journal keeps only QoS 1/2 messages, so a QoS 0 pass runs once, journal as started
  --workload NAME   lines: line protocol on busbar/metrics/... (default);
                    onepoint: one point per message (--per-message and --fields do not apply)
  --payload LIST    onepoint: json (on bench/<host> through an ingest rule), line (one line of line
                    protocol on busbar/metrics/bench/<host>); comma-separated (default json,line)
  --reference on|off  the Mosquitto + plain client → VictoriaMetrics pipeline per payload and QoS
                    (default on)
  --warmup N        lines published before the measurement starts, so that the figures are those of
                    a busbar whose code the JIT has already compiled (default: a fifth of --lines)
  --profile DIR     run busbar under node --cpu-prof, profiles written to DIR
  --compare DIR     another checkout of busbar, built (DIR/dist/cli/main.js): each busbar pass runs
                    again right after on that build, and the report gives this build / that build`;

const log = (line: string): void => void process.stderr.write(`${line}\n`);
const rate = (count: number, ms: number): string => Math.round((count / ms) * 1000).toLocaleString('en-US');

type Options = ReturnType<typeof options>;

function options(): LoadSpec & {
  publishers: number;
  window: number;
  batch: number;
  journal: JournalMode[];
  qos: (0 | 1)[];
  workload: 'lines' | 'onepoint';
  payloads: OnePointFormat[];
  reference: boolean;
  profile: string | undefined;
  warmup: number;
  compare: string | undefined;
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
        'qos',
        'workload',
        'payload',
        'reference',
        'profile',
        'warmup',
        'compare',
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
  const reference = values.reference === undefined ? 'on' : String(values.reference);
  if (reference !== 'on' && reference !== 'off')
    throw new Error(`--reference: "${reference}" is not on or off\n${USAGE}`);
  const payloads = list('payload', values.payload, 'json,line', ['json', 'line'] as const);
  if (!onePoint && values.payload !== undefined)
    throw new Error(`--payload applies to --workload onepoint\n${USAGE}`);
  return {
    workload,
    payloads: onePoint ? payloads : ['line'],
    reference: reference === 'on',
    profile: values.profile === undefined ? undefined : String(values.profile),
    compare: values.compare === undefined ? undefined : String(values.compare),
    lines,
    warmup: count('warmup', Math.floor(lines / 5), 0),
    linesPerMessage: onePoint ? 1 : count('per-message', 100),
    fields: onePoint ? 1 : count('fields', 1),
    series: count('series', 1_000),
    publishers: count('publishers', 4),
    window: count('window', 8),
    batch: count('batch', 5_000),
    journal: list('journal', values.journal, 'off,fsync', Object.keys(JOURNAL_MODES) as JournalMode[]),
    qos: list('qos', values.qos, onePoint ? '1,0' : '1', ['1', '0'] as const).map((text) =>
      text === '1' ? 1 : 0,
    ),
  };
}

/** A comma-separated option whose every item is one of `allowed`. */
function list<T extends string>(name: string, value: unknown, fallback: string, allowed: readonly T[]): T[] {
  const items = (value === undefined ? fallback : String(value)).split(',').map((item) => item.trim());
  for (const item of items) {
    if (!(allowed as readonly string[]).includes(item))
      throw new Error(`--${name}: "${item}" is not one of ${allowed.join(', ')}\n${USAGE}`);
  }
  return items as T[];
}

interface SinkProgress {
  influx: number;
  history: number;
}

/** How long the stores may gain nothing before a pass counts what they hold and stops waiting. */
const STALL_MS = 10_000;

/** Follows busbar/stats/influxdb and busbar/stats/history until both reach the targets or stall. */
async function watchStats(url: string): Promise<{
  /** The time both reached the targets, or of the last progress if they stopped short. */
  done(lines: number, points: number): Promise<number>;
  close(): Promise<void>;
}> {
  const client = await mqtt.connectAsync(url, {
    clientId: 'bench-stats',
    protocolVersion: 4,
    reconnectPeriod: 0,
  });
  const progress: SinkProgress = { influx: 0, history: 0 };
  let progressAt = performance.now();
  client.on('message', (topic, payload) => {
    const stats = JSON.parse(payload.toString()) as { written?: number; pointsWritten?: number };
    const before = progress.influx + progress.history;
    if (topic.endsWith('/influxdb')) progress.influx = stats.written ?? 0;
    else progress.history = stats.pointsWritten ?? 0;
    if (progress.influx + progress.history !== before) progressAt = performance.now();
  });
  await client.subscribeAsync(['busbar/stats/influxdb', 'busbar/stats/history'], { qos: 0 });
  return {
    async done(lines, points) {
      const since = performance.now();
      while (progress.influx < lines || progress.history < points) {
        if (performance.now() - Math.max(progressAt, since) > STALL_MS) {
          log(
            `  stopped waiting: ${progress.influx}/${lines} lines in VictoriaMetrics, ${progress.history}/${points} in history`,
          );
          return progressAt;
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

/** What one pass publishes: its messages and its warm-up's, under a measurement of its own. */
interface PassLoad {
  readonly format: OnePointFormat;
  readonly qos: 0 | 1;
  readonly measurement: string;
  readonly load: LoadMessage[];
  readonly warmupLoad: LoadMessage[];
}

function passLoad(
  spec: Options,
  format: OnePointFormat,
  qos: 0 | 1,
  measurement: string,
  startMs: number,
): PassLoad {
  // The warm-up's points are a day older than the measured ones: no (series, time) in common.
  const warmup = { ...spec, lines: spec.warmup };
  return {
    format,
    qos,
    measurement,
    load: workloadMessages(spec, format, measurement, startMs),
    warmupLoad: spec.warmup > 0 ? workloadMessages(warmup, format, measurement, startMs - 86_400_000) : [],
  };
}

/** One busbar, fed the whole load through MQTT, until both stores hold every point (or stall). */
async function busbarPass(
  spec: Options,
  pass: PassLoad,
  mode: JournalMode,
  vm: BenchProcess,
  vmUrl: string,
  build?: string,
): Promise<BusbarPass> {
  const points = spec.lines * spec.fields;
  const withRule = spec.workload === 'onepoint' && pass.format === 'json';
  const warmupPoints = spec.warmup * spec.fields;
  const busbar = await startBusbar({
    vmUrl,
    batchSize: spec.batch,
    journal: JOURNAL_MODES[mode],
    extraYaml: withRule ? onePointRuleYaml(pass.measurement) : [],
    nodeArgs: spec.profile === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${spec.profile}`],
    ...(build === undefined ? {} : { cli: path.resolve(build, 'dist/cli/main.js') }),
  });
  try {
    const brokerUrl = `mqtt://127.0.0.1:${busbar.port}`;
    const stats = await watchStats(brokerUrl);
    if (pass.warmupLoad.length > 0) {
      await Promise.race([
        publishAll(brokerUrl, pass.warmupLoad, spec.publishers, spec.window, pass.qos),
        busbar.crashed,
      ]);
      await Promise.race([stats.done(spec.warmup, warmupPoints), busbar.crashed]);
    }
    const busbarCpu0 = cpuSecondsWithChildren(busbar.pid);
    const threads0 = threadCpuSeconds(busbar.pid);
    const vmCpu0 = cpuSecondsWithChildren(vm.pid);
    let rssMax = 0;
    const sampler = setInterval(() => (rssMax = Math.max(rssMax, memoryBytes(busbar.pid).rss)), 100);
    const generatorCpu0 = process.cpuUsage();
    const t1 = performance.now();
    await Promise.race([
      publishAll(brokerUrl, pass.load, spec.publishers, spec.window, pass.qos),
      busbar.crashed,
      vm.crashed,
    ]);
    const publishedMs = performance.now() - t1;
    const generatorCpu = process.cpuUsage(generatorCpu0);
    const end = await Promise.race([
      stats.done(spec.warmup + spec.lines, warmupPoints + points),
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
    const inVm = (await countVictoriaMetrics(vmUrl, pass.measurement)) - warmupPoints;
    const inHistory = countHistory(busbar.historyPath, pass.measurement) - warmupPoints;
    // busbar logs what it dropped and why (level warn and above): show it beside the counts.
    if (inVm !== points || inHistory !== points) log(`  busbar's log of that pass:\n${busbar.output()}`);
    return {
      format: pass.format,
      qos: pass.qos,
      mode,
      publishedMs,
      endToEndMs: end - t1,
      busbarCpu,
      threads,
      vmCpu,
      rssMax,
      generatorBusy: (generatorCpu.user + generatorCpu.system) / 1000 / publishedMs,
      // What the stores hold beyond the warm-up's points.
      inVm,
      inHistory,
      build,
    };
  } finally {
    await busbar.stop();
  }
}

/** What the publishers send in one pass. */
function workloadMessages(
  spec: Options,
  format: OnePointFormat,
  measurement: string,
  startMs: number,
): LoadMessage[] {
  if (spec.workload === 'onepoint') return generateOnePoint(spec, measurement, startMs, format).messages;
  return onMetricTopic(generateMessages(spec, measurement, startMs));
}

/** The same points as line protocol, for the direct-HTTP reference. */
function referenceLines(spec: Options, startMs: number): Buffer[] {
  if (spec.workload === 'onepoint') return generateOnePoint(spec, 'benchref', startMs).lines;
  return generateMessages(spec, 'benchref', startMs);
}

/** The ceiling: the same lines straight into VictoriaMetrics, nothing in between. */
async function ceilingPass(
  spec: Options,
  vm: BenchProcess,
  vmUrl: string,
  startMs: number,
): Promise<Ceiling> {
  // One buffer per message (lines) or per point (onepoint): `spec.batch` lines per request either way.
  const perRequest = Math.max(1, Math.round(spec.batch / spec.linesPerMessage));
  const reference = referenceLines(spec, startMs);
  const vmCpu0 = cpuSecondsWithChildren(vm.pid);
  const t0 = performance.now();
  await Promise.race([postAll(vmUrl, reference, perRequest, 2), vm.crashed]);
  const ms = performance.now() - t0;
  const cpu = cpuSecondsWithChildren(vm.pid) - vmCpu0;
  log(
    `  direct HTTP to VictoriaMetrics: ${rate(spec.lines, ms)} lines/s (VictoriaMetrics CPU ${(((cpu * 1000) / ms) * 100).toFixed(0)}%)`,
  );
  return { ms };
}

async function main(): Promise<number> {
  const spec = options();
  log(
    `ingest (${spec.workload}): ${spec.lines.toLocaleString('en-US')} lines × ${spec.fields} field(s), ${spec.linesPerMessage} lines/message, ` +
      `${spec.series} series, ${spec.publishers} publishers × ${spec.window} in flight (QoS ${spec.qos.join(', ')}), ` +
      `after a warm-up of ${spec.warmup.toLocaleString('en-US')} lines; ` +
      `${os.cpus().length} CPUs, node ${process.version}`,
  );
  const processes: BenchProcess[] = [];
  try {
    const vm = await startVictoriaMetrics();
    processes.push(vm);
    const vmUrl = `http://127.0.0.1:${vm.port}`;
    const startMs = Date.now() - 3_600_000;
    const ceiling = await ceilingPass(spec, vm, vmUrl, startMs);

    const passes: BusbarPass[] = [];
    const references: ReferencePassResult[] = [];
    for (const format of spec.payloads) {
      for (const qos of spec.qos) {
        const label = `${spec.workload === 'onepoint' ? `${format}, ` : ''}QoS ${qos}`;
        if (spec.reference) {
          const load = passLoad(spec, format, qos, `ref${format}q${qos}`, startMs);
          const result = await referencePass({
            ...load,
            warmupLines: spec.warmup,
            lines: spec.lines,
            filter: spec.workload === 'onepoint' ? onePointFilter(format) : 'busbar/metrics/#',
            vmUrl,
            batch: spec.batch,
            publishers: spec.publishers,
            window: spec.window,
          });
          log(`  Mosquitto + client, ${label}: ${rate(result.stored, result.endToEndMs)} lines/s end to end`);
          references.push({ format, qos, ...result });
        }
        // The journal keeps QoS 1/2 messages only: one QoS 0 pass, with the journal as `busbar start` has it.
        for (const mode of qos === 1 ? spec.journal : (['fsync'] as const)) {
          // With --compare, the other build runs the same pass right after, under its own measurement.
          for (const build of spec.compare === undefined ? [undefined] : [undefined, spec.compare]) {
            const measurement = `${format}q${qos}${mode}${build === undefined ? '' : 'cmp'}`;
            const load = passLoad(spec, format, qos, measurement, startMs);
            const result = await busbarPass(spec, load, mode, vm, vmUrl, build);
            log(
              `  busbar${build === undefined ? '' : ` (build of ${build})`}, ${label}, journal ${mode}: ` +
                `${rate(spec.lines, result.endToEndMs)} lines/s end to end`,
            );
            passes.push(result);
          }
        }
      }
    }
    process.stdout.write(report(spec, ceiling, passes, references));
    const points = spec.lines * spec.fields;
    if (passes.some((pass) => pass.qos === 1 && (pass.inVm !== points || pass.inHistory !== points))) {
      log('FAIL: the databases do not hold exactly the points published at QoS 1');
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
