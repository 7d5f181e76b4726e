/**
 * `npm run bench:broker`: fan-in throughput and CPU per message of busbar's broker, bare Aedes and
 * Mosquitto, measured in the same run so that their ratios mean something on a noisy machine; then
 * the slow-subscriber scenario (slow-subscriber.ts) against busbar.
 * Exits non-zero only when a QoS 1 message is lost or a broker dies; a missed target is reported.
 */
import os from 'node:os';
import path from 'node:path';
import { loopSummary } from './loop-summary.js';
import { rm } from 'node:fs/promises';
import { runRound, type RoundResult, type RoundSpec } from './fan-in.js';
import { USAGE, parseOptions, type BenchOptions } from './options.js';
import { clockTicksPerSecond } from './process-cpu.js';
import { runLatency, type LatencyResult } from './slow-subscriber.js';
import {
  generatorWarnings,
  resultsTable,
  ratiosTable,
  summarize,
  targetLines,
  type Series,
} from './report.js';
import { TARGET_LABELS, siblingScript, startTarget, stopAllTargets, type Target } from './targets.js';

const QOS_LEVELS = [0, 1] as const;
/** Warm-up rounds (JIT, buffers, GC heuristics) use this share of the measured message count. */
const WARMUP_SHARE = 0.25;

const log = (line: string): void => void process.stderr.write(`${line}\n`);

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause === undefined ? error.message : `${error.message}: ${describe(error.cause)}`;
}

function spec(options: BenchOptions, qos: 0 | 1, share = 1): RoundSpec {
  const messages = qos === 0 ? options.qos0Messages : options.qos1Messages;
  return {
    qos,
    messages: Math.max(options.publishers, Math.ceil(messages * share)),
    publishers: options.publishers,
    window: options.window,
  };
}

function progress(target: Target, qos: 0 | 1, what: string, r: RoundResult): string {
  const rate = Math.round((r.delivered / r.elapsedMs) * 1000).toLocaleString('en-US');
  const cpu = ((r.brokerCpuSeconds * 1e6) / Math.max(1, r.delivered)).toFixed(2);
  const others = r.others > 0 ? ` (+${r.others} on the broker's own topics)` : '';
  return `  ${what.padEnd(9)} ${TARGET_LABELS[target.name].padEnd(12)} QoS ${qos}: ${rate} msgs/s, ${cpu} CPU µs/msg, ${r.delivered}/${r.sent}${others}`;
}

async function main(options: BenchOptions): Promise<number> {
  const failures: string[] = [];
  const nodeArgs = options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`] : [];
  log(
    `fan-in: ${options.publishers} publishers → 1 subscriber on #; QoS 0 ${options.qos0Messages.toLocaleString('en-US')} ` +
      `and QoS 1 ${options.qos1Messages.toLocaleString('en-US')} messages (window ${options.window}) per round; ` +
      `${options.rounds} measured rounds after a warm-up; ${os.cpus().length} CPUs, CLK_TCK ${clockTicksPerSecond()}, node ${process.version}`,
  );

  const targets: Target[] = [];
  for (const name of options.latencyOnly ? [] : options.targets) {
    try {
      const target = await startTarget(name, { nodeArgs });
      log(`started ${TARGET_LABELS[name]} (pid ${target.pid}) on 127.0.0.1:${target.port}`);
      targets.push(target);
    } catch (error) {
      failures.push(describe(error));
      log(`FAIL ${describe(error)}`);
    }
  }

  const series = new Map<string, Series>();
  const dead = new Set<Target>();
  const measure = async (target: Target, qos: 0 | 1, what: string, share = 1): Promise<void> => {
    if (dead.has(target)) return;
    try {
      const result = await runRound(target, spec(options, qos, share));
      log(progress(target, qos, what, result));
      if (qos === 1 && result.delivered !== result.sent) {
        failures.push(
          `${TARGET_LABELS[target.name]} QoS 1 ${what}: delivered ${result.delivered} of ${result.sent}`,
        );
      }
      if (result.problem) log(`  ${TARGET_LABELS[target.name]} QoS ${qos} ${what}: ${result.problem}`);
      if (what === 'warm-up') return;
      const key = `${target.name}/${qos}`;
      const entry = series.get(key) ?? { target: target.name, qos, rounds: [] };
      entry.rounds.push(result);
      series.set(key, entry);
    } catch (error) {
      dead.add(target);
      failures.push(target.crash() ?? `${TARGET_LABELS[target.name]} QoS ${qos} ${what}: ${describe(error)}`);
      log(`FAIL ${failures.at(-1)}`);
    }
  };

  for (const target of targets)
    for (const qos of QOS_LEVELS) await measure(target, qos, 'warm-up', WARMUP_SHARE);
  // Targets take turns round by round, in a rotating order, so that drift in the machine's load
  // spreads over all of them instead of landing on whichever ran last.
  for (let round = 1; round <= options.rounds; round++) {
    const order = targets.map((_, i) => targets[(i + round - 1) % targets.length]!);
    for (const qos of QOS_LEVELS) for (const target of order) await measure(target, qos, `round ${round}`);
  }

  const summaries = [...series.values()]
    .sort((a, b) => a.qos - b.qos || options.targets.indexOf(a.target) - options.targets.indexOf(b.target))
    .map(summarize);
  const out: string[] = options.latencyOnly
    ? []
    : ['', resultsTable(summaries), '', ratiosTable(summaries), '', ...targetLines(summaries)];
  const warnings = generatorWarnings(summaries);
  if (warnings.length > 0) out.push('', ...warnings);
  if (options.latencySeconds > 0) {
    try {
      out.push('', ...(await latencyScenario(options)));
    } catch (error) {
      failures.push(`latency scenario: ${describe(error)}`);
    }
    if (!options.latencyOnly) {
      try {
        out.push('', ...(await slowSubscriberScenario(options)));
      } catch (error) {
        failures.push(`slow-subscriber scenario: ${describe(error)}`);
      }
    }
  }
  if (failures.length > 0) out.push('', ...failures.map((failure) => `FAIL  ${failure}`));
  process.stdout.write(`${out.join('\n')}\n`);
  return failures.length > 0 ? 1 : 0;
}

/** Messages per second of the latency scenario: single messages, not a load test. */
const LATENCY_PROBE_RATE = 200;
/** The least time each QoS level of the latency scenario runs unmeasured before the measured runs. */
const LATENCY_WARMUP_MS = 20_000;
/** Issue 15: busbar's p99 with `npm start`'s components at most this multiple of Mosquitto's. */
const LATENCY_P99_TARGET = 2;

/**
 * Single-message publish → deliver latency at QoS 0 and QoS 1 of busbar as `npm start` runs it
 * (agent, history, alarms, web, journal) and of Mosquitto, both probed at once in this run: the p50
 * and p99 ratios show what busbar's other work (timers, GC, history writes, the agent's sampling)
 * costs a message passing through. Each run is as long as `--latency-seconds`; at 200 msg/s a stall
 * of d ms delays about d/5 messages, so a 40 ms stall every 10 s is already 1% of them: the p99.
 */
async function latencyScenario(options: BenchOptions): Promise<string[]> {
  const spec = {
    rate: LATENCY_PROBE_RATE,
    durationMs: options.latencySeconds * 1000,
    payloadBytes: 64,
    withNonReader: false,
  };
  const results = new Map<string, LatencyResult>();
  const loops = new Map<string, string>();
  const names = ['mosquitto', 'busbar-defaults'] as const;
  const targets: Target[] = [];
  const monitor = options.loopMonitor ? loopMonitorFlags() : undefined;
  try {
    for (const name of names) {
      const watched = monitor !== undefined && name !== 'mosquitto';
      targets.push(
        await startTarget(name, {
          nodeArgs: watched ? monitor.nodeArgs : [],
          env: watched ? monitor.env : undefined,
          withAgent: true,
        }),
      );
    }
    log(
      `latency: ${targets.map((t) => `${TARGET_LABELS[t.name]} (pid ${t.pid})`).join(' and ')} at once, ` +
        `${spec.rate} msg/s each for ${options.latencySeconds} s at QoS 0, then QoS 1`,
    );
    // Both brokers are probed at the same time: a burst of load from elsewhere on the machine then
    // lands on both, and the ratio compares the brokers rather than two moments of the machine.
    // A broker runs for days; the first seconds of a Node.js process are not what its users see. At
    // 200 msg/s busbar's delivery path takes 20 s or more to reach its steady state (V8 compiles it
    // as it runs): whichever QoS level was measured first had the slower tail (docs/performance.md,
    // "Warm-up of the latency runs"). So both levels run first unmeasured, each at least 20 s.
    const warmUp = { ...spec, durationMs: Math.max(spec.durationMs, LATENCY_WARMUP_MS) };
    for (const qos of QOS_LEVELS) {
      await Promise.all(targets.map((target) => runLatency(target, { ...warmUp, qos })));
    }
    for (const qos of QOS_LEVELS) {
      const startedAt = Date.now();
      const runs = await Promise.all(targets.map((target) => runLatency(target, { ...spec, qos })));
      runs.forEach((result, i) => results.set(`${targets[i]!.name}/${qos}`, result));
      if (monitor) {
        // The monitor writes a line each second; wait for the one covering the end of the run.
        await new Promise((resolve) => setTimeout(resolve, 1_200));
        loops.set(`QoS ${qos}`, await loopSummary(monitor.file, startedAt, Date.now()));
      }
    }
  } finally {
    await Promise.all(targets.map((target) => target.stop()));
    if (monitor) await rm(monitor.file, { force: true });
  }
  const ms = (value: number): string => (Number.isFinite(value) ? value.toFixed(3) : 'lost').padStart(9);
  const lines = [
    `latency: ${spec.rate} msg/s of ${spec.payloadBytes} B to one subscriber for ${options.latencySeconds} s per QoS, ` +
      "publish → deliver; busbar with npm start's components (agent, history, alarms, web, journal)",
    `${'broker'.padEnd(36)} QoS ${'delivered'.padStart(13)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'max ms'.padStart(9)}`,
  ];
  for (const qos of QOS_LEVELS) {
    for (const name of names) {
      const r = results.get(`${name}/${qos}`)!;
      const label = name === 'mosquitto' ? TARGET_LABELS.mosquitto : `${TARGET_LABELS[name]} + agent`;
      lines.push(
        `${label.padEnd(36)} ${String(qos).padStart(3)} ${`${r.delivered}/${r.sent}`.padStart(13)}${ms(r.p50Ms)}${ms(r.p99Ms)}${ms(r.maxMs)}`,
      );
    }
  }
  for (const [run, summary] of loops) lines.push(`${run}: ${summary}`);
  for (const qos of QOS_LEVELS) {
    const mosquitto = results.get(`mosquitto/${qos}`)!;
    const busbar = results.get(`busbar-defaults/${qos}`)!;
    const p50 = busbar.p50Ms / mosquitto.p50Ms;
    const p99 = busbar.p99Ms / mosquitto.p99Ms;
    lines.push(
      `${p99 <= LATENCY_P99_TARGET ? 'PASS' : 'MISS'}  busbar (defaults) + agent: QoS ${qos} latency p99 ≤ ${LATENCY_P99_TARGET}× Mosquitto — ` +
        `got ${p99.toFixed(2)}× (p50 ${p50.toFixed(2)}×)`,
    );
  }
  return lines;
}

/** `node` flags and environment that run bench/loop-monitor.ts in busbar, writing to a file. */
function loopMonitorFlags(): { nodeArgs: string[]; env: Record<string, string>; file: string } {
  const { script, loader } = siblingScript('loop-monitor');
  const file = path.join(os.tmpdir(), `busbar-bench-loop-${process.pid}.jsonl`);
  return {
    nodeArgs: [...loader, '--import', script],
    env: { LOOP_MONITOR_FILE: file, LOOP_MONITOR_EVERY_MS: '1000' },
    file,
  };
}

/** Same busbar process, same rate: once alone, once beside a subscriber on `#` that never reads. */
async function slowSubscriberScenario(options: BenchOptions): Promise<string[]> {
  const target = await startTarget('busbar', { nodeArgs: [], sysInterval: '1s' });
  const spec = {
    rate: options.latencyRate,
    durationMs: options.latencySeconds * 1000,
    payloadBytes: options.latencyPayload,
  };
  try {
    log(
      `slow subscriber: busbar (pid ${target.pid}), ${spec.rate} msg/s for ${options.latencySeconds} s, twice`,
    );
    // Warm-up (JIT, buffers), not reported: otherwise the first run pays for it.
    await runLatency(target, { ...spec, durationMs: Math.min(spec.durationMs, 2_000), withNonReader: false });
    const alone = await runLatency(target, { ...spec, withNonReader: false });
    const beside = await runLatency(target, { ...spec, withNonReader: true });
    const ms = (value: number): string => (Number.isFinite(value) ? value.toFixed(2) : 'lost').padStart(8);
    const row = (label: string, r: LatencyResult): string =>
      `${label.padEnd(36)} ${`${r.delivered.toLocaleString('en-US')}/${r.sent.toLocaleString('en-US')}`.padStart(15)}` +
      `${ms(r.p50Ms)}${ms(r.p99Ms)}${ms(r.maxMs)} ${`${(r.rssMaxBytes / 2 ** 20).toFixed(0)} MiB`.padStart(14)}` +
      ` ${String(r.stats?.messagesDropped ?? '?').padStart(8)} ${String(r.stats?.queueDisconnects ?? '?').padStart(11)}`;
    // Infinity (a probe message never arrived) reads as a MISS, never as a good ratio.
    const ratio = beside.p99Ms / alone.p99Ms;
    return [
      `slow subscriber (busbar): QoS 0, ${spec.rate.toLocaleString('en-US')} msg/s of ${spec.payloadBytes} B to one probe ` +
        `for ${options.latencySeconds} s, publish → deliver latency; the second run beside a subscriber on # that never reads`,
      `${'run'.padEnd(36)} ${'delivered/sent'.padStart(15)}${'p50 ms'.padStart(8)}${'p99 ms'.padStart(8)}` +
        `${'max ms'.padStart(8)} ${'busbar RSS max'.padStart(14)} ${'dropped'.padStart(8)} ${'disconnects'.padStart(11)}`,
      row('alone', alone),
      row('beside a non-reading # subscriber', beside),
      `p99 beside / alone: ${Number.isFinite(ratio) ? `${ratio.toFixed(2)}×` : 'n/a (messages lost)'} (goal ≤ 2×)${ratio <= 2 ? '' : '  MISS'}` +
        ' (dropped, disconnects: busbar/stats/broker totals at the end of each run)',
    ];
  } finally {
    await target.stop();
  }
}

let options: BenchOptions;
try {
  options = parseOptions(process.argv.slice(2), process.env);
} catch (error) {
  log(`${describe(error)}\n${USAGE}`);
  process.exit(2);
}

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    interrupted = true;
    log(`${signal}: stopping the brokers`);
    void stopAllTargets().finally(() => process.exit(130));
  });
}

try {
  process.exitCode = await main(options);
} catch (error) {
  log(`FAIL ${describe(error)}`);
  process.exitCode = 1;
} finally {
  if (!interrupted) await stopAllTargets();
}
// Sockets of an aborted round must not keep the process alive.
process.exit();
