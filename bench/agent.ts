/**
 * `npm run bench:agent`: what the standalone host agent costs, measured from outside as users run it
 * (`busbar agent` publishing to a Mosquitto), against references measured in the same run on the
 * same machine: a bare process calling the equivalent systeminformation functions at the same
 * interval, and an idle Node process (the runtime's own memory floor).
 *
 * Targets (issue #3): < 2 % of one core at a 10 s interval, < 80 MB resident.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import mqtt from 'mqtt';
import { parseDuration } from '../config/duration.js';
import { cpuSecondsWithChildren, memoryBytes } from './agent-proc.js';
import { BUSBAR_CLI, startTarget, stopAllTargets } from './targets.js';

const USAGE = `usage: node dist/bench/agent.js [options]
  --duration D   measured time after the first sample, e.g. 30s or 3m (BENCH_DURATION, default 3m)
  --interval D   the agent's interval (BENCH_INTERVAL, default 10s, the agent's default)`;

const TARGET_CORE_PERCENT = 2;
const TARGET_RSS_BYTES = 80 * 1024 * 1024;

interface Watched {
  readonly label: string;
  readonly child: ChildProcess;
  readonly pid: number;
  cpuAtStart: number;
  rss: number[];
  peak: number;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const log = (line: string): void => void process.stderr.write(`${line}\n`);
const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

function options(): { durationMs: number; intervalMs: number } {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string' },
      interval: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  return {
    durationMs: parseDuration(values.duration ?? process.env.BENCH_DURATION ?? '3m'),
    intervalMs: parseDuration(values.interval ?? process.env.BENCH_INTERVAL ?? '10s'),
  };
}

function launch(label: string, command: string, args: string[]): Watched {
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => (errors = (errors + chunk.toString()).slice(-2_000)));
  child.once('exit', (code, signal) => {
    if (!stopping) log(`${label} exited early (${signal ?? code}): ${errors}`);
  });
  if (child.pid === undefined) throw new Error(`could not start ${label}`);
  launched.push(child);
  return { label, child, pid: child.pid, cpuAtStart: 0, rss: [], peak: 0 };
}

let stopping = false;
const launched: ChildProcess[] = [];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

async function main(): Promise<number> {
  const { durationMs, intervalMs } = options();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'busbar-bench-agent-'));
  const mosquitto = await startTarget('mosquitto', { nodeArgs: [] });
  const url = `mqtt://127.0.0.1:${mosquitto.port}`;
  const config = path.join(dir, 'agent.yaml');
  await writeFile(config, 'log: { level: warn, format: json }\n');

  const watcher = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
  let samples = 0;
  watcher.on('message', () => (samples += 1));
  await watcher.subscribeAsync('busbar/metrics/bench-agent/system', { qos: 1 });

  const ownExtension = path.extname(fileURLToPath(import.meta.url));
  const loader = ownExtension === '.ts' ? ['--import', 'tsx'] : [];
  const agentArgs = (name: string): string[] => [
    BUSBAR_CLI,
    'agent',
    '-c',
    config,
    '--broker',
    url,
    '--name',
    name,
    '--interval',
    `${intervalMs}ms`,
  ];
  const watched = [
    launch('busbar agent', process.execPath, agentArgs('bench-agent')),
    launch('systeminformation calls (reference)', process.execPath, [
      ...loader,
      path.join(here, `agent-si-reference${ownExtension}`),
      String(intervalMs),
    ]),
    launch('idle node (reference)', process.execPath, ['-e', 'setInterval(() => {}, 1 << 30)']),
  ];
  log(
    `host agent: ${os.cpus().length} CPUs, node ${process.version}, interval ${intervalMs} ms, ` +
      `measuring ${durationMs / 1000} s after the first sample (startup excluded)`,
  );

  // Startup (module loading, systeminformation's first call) is not the steady cost: start counting
  // at the first sample.
  const deadline = Date.now() + 60_000;
  while (samples === 0) {
    if (Date.now() > deadline) throw new Error('the agent published nothing within 60 s');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  for (const entry of watched) entry.cpuAtStart = cpuSecondsWithChildren(entry.pid);
  const samplesAtStart = samples;
  const started = Date.now();
  while (Date.now() - started < durationMs) {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    for (const entry of watched) {
      const memory = memoryBytes(entry.pid);
      entry.rss.push(memory.rss);
      entry.peak = memory.peak;
    }
  }
  const elapsed = (Date.now() - started) / 1000;
  const measuredSamples = samples - samplesAtStart;
  const cpu = watched.map((entry) => cpuSecondsWithChildren(entry.pid) - entry.cpuAtStart);

  stopping = true;
  for (const child of launched) child.kill('SIGKILL');
  await watcher.endAsync();
  await stopAllTargets();
  await rm(dir, { recursive: true, force: true });

  const ticks = elapsed / (intervalMs / 1000);
  const rows = watched.map((entry, index) => {
    const seconds = cpu[index]!;
    return [
      entry.label.padEnd(38),
      `${((seconds / elapsed) * 100).toFixed(3)} %`.padStart(10),
      `${((seconds / ticks) * 1000).toFixed(1)} ms`.padStart(10),
      mb(median(entry.rss)).padStart(10),
      mb(Math.max(...entry.rss)).padStart(10),
      mb(entry.peak).padStart(10),
    ].join('  ');
  });
  const header = [
    'process'.padEnd(38),
    'CPU/core'.padStart(10),
    'CPU/tick'.padStart(10),
    'RSS med'.padStart(10),
    'RSS max'.padStart(10),
    'RSS peak'.padStart(10),
  ].join('  ');
  console.log(`\n${header}\n${'-'.repeat(header.length)}\n${rows.join('\n')}`);

  const agentCpu = cpu[0]!;
  const agentPercent = (agentCpu / elapsed) * 100;
  const agentRss = Math.max(...watched[0]!.rss, watched[0]!.peak);
  console.log(
    `\nagent: ${measuredSamples} samples in ${elapsed.toFixed(0)} s; CPU per sample (all collectors, ` +
      `publishing included) ${((agentCpu / Math.max(1, measuredSamples)) * 1000).toFixed(1)} ms`,
  );
  console.log(`ratio agent / systeminformation reference, CPU: ${(agentCpu / cpu[1]!).toFixed(2)}×`);
  console.log(`RSS above an idle node: ${mb(median(watched[0]!.rss) - median(watched[2]!.rss))}`);
  const scaled = agentPercent * (intervalMs / 10_000);
  const cpuPass = scaled < TARGET_CORE_PERCENT;
  console.log(
    `${cpuPass ? 'PASS' : 'MISS'}  CPU < ${TARGET_CORE_PERCENT} % of one core at a 10 s interval — got ` +
      `${scaled.toFixed(3)} %${intervalMs === 10_000 ? '' : ` (scaled from ${agentPercent.toFixed(3)} % at ${intervalMs} ms)`}`,
  );
  const rssPass = agentRss < TARGET_RSS_BYTES;
  console.log(`${rssPass ? 'PASS' : 'MISS'}  RSS < ${mb(TARGET_RSS_BYTES)} — peak ${mb(agentRss)}`);
  return cpuPass && rssPass ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  async (error: unknown) => {
    log(`FAIL ${error instanceof Error ? error.message : String(error)}`);
    stopping = true;
    for (const child of launched) child.kill('SIGKILL');
    await stopAllTargets();
    process.exit(2);
  },
);
