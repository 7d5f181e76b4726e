/** The processes of the ingest benchmark: VictoriaMetrics and busbar, each on a free 127.0.0.1 port. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BUSBAR_CLI } from './targets.js';
import { freePort, waitForPort } from './ports.js';

const VICTORIA_METRICS = '/usr/bin/victoria-metrics';

export interface BenchProcess {
  readonly pid: number;
  readonly port: number;
  readonly dir: string;
  /** Rejects if the process exits before `stop`. */
  readonly crashed: Promise<never>;
  output(): string;
  stop(): Promise<void>;
}

export async function startVictoriaMetrics(): Promise<BenchProcess> {
  if (!existsSync(VICTORIA_METRICS)) {
    throw new Error(`${VICTORIA_METRICS} is missing; apt-get install -y victoria-metrics`);
  }
  const port = await freePort();
  const dir = await mkdtemp(path.join(tmpdir(), 'busbar-bench-vm-'));
  const args = [`-storageDataPath=${dir}`, `-httpListenAddr=127.0.0.1:${port}`, '-search.latencyOffset=0s'];
  return launch(VICTORIA_METRICS, [...args, '-loggerLevel=ERROR'], port, dir);
}

export interface BusbarBenchConfig {
  readonly vmUrl: string;
  readonly batchSize: number;
  /** The intake journal (broker.journal); default as `busbar start` has it: on, with fdatasync. */
  readonly journal?: { readonly enabled: boolean; readonly fsync: boolean };
  /** More top-level YAML lines, e.g. an `ingest:` section. */
  readonly extraYaml?: readonly string[];
  /** Extra `node` flags, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`. */
  readonly nodeArgs?: readonly string[];
  /** The CLI to run (another checkout's build, `--compare`); this checkout's by default. */
  readonly cli?: string;
}

/** busbar as users run it (`node dist/cli/main.js start -c FILE`): history store and v2 sink on. */
export async function startBusbar(
  config: BusbarBenchConfig,
): Promise<BenchProcess & { historyPath: string }> {
  const cli = config.cli ?? BUSBAR_CLI;
  if (!existsSync(cli)) throw new Error(`${cli} is missing; run \`npm run build\` in its checkout`);
  const port = await freePort();
  const dir = await mkdtemp(path.join(tmpdir(), 'busbar-bench-ingest-'));
  const historyPath = path.join(dir, 'history.db');
  const file = path.join(dir, 'busbar.yaml');
  await writeFile(
    file,
    [
      'log: { level: warn, format: json }',
      `broker: { listeners: [{ type: tcp, host: 127.0.0.1, port: ${port} }], journal: { path: ${path.join(dir, 'journal')}, enabled: ${config.journal?.enabled ?? true}, fsync: ${config.journal?.fsync ?? true} } }`,
      'web: { port: 0 }',
      'sinks:',
      `  history: { path: ${historyPath}, statsInterval: 200ms }`,
      '  influxdb:',
      `    url: ${config.vmUrl}`,
      '    bucket: bench',
      `    outboxPath: ${path.join(dir, 'outbox.db')}`,
      `    batchSize: ${config.batchSize}`,
      '    statsInterval: 200ms',
      ...(config.extraYaml ?? []),
      '',
    ].join('\n'),
  );
  const args = [...(config.nodeArgs ?? []), cli, 'start', '-c', file];
  const started = await launch(process.execPath, args, port, dir);
  return { ...started, historyPath };
}

async function launch(command: string, args: string[], port: number, dir: string): Promise<BenchProcess> {
  const child: ChildProcess = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-8_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let stopping = false;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const crashed = new Promise<never>((_resolve, reject) => {
    child.once('exit', (code, signal) => {
      if (!stopping) reject(new Error(`${path.basename(command)} exited (${signal ?? code}): ${output}`));
    });
  });
  // Only `stop` ends the process on purpose; anyone racing `crashed` sees a real crash.
  crashed.catch(() => undefined);
  if (child.pid === undefined) throw new Error(`could not spawn ${command}`);
  const stop = async (): Promise<void> => {
    stopping = true;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await Promise.race([waitForPort(port), crashed]);
  } catch (error) {
    await stop();
    throw error;
  }
  return { pid: child.pid, port, dir, crashed, output: () => output, stop };
}
