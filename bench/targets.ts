/** Starts each broker under test as its own process on a free 127.0.0.1 port. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, waitForPort } from './ports.js';

export const TARGET_NAMES = [
  'busbar',
  'busbar-defaults',
  'busbar-journal',
  'busbar-no-journal',
  'aedes',
  'mosquitto',
] as const;
export type TargetName = (typeof TARGET_NAMES)[number];

export const TARGET_LABELS: Record<TargetName, string> = {
  busbar: 'busbar',
  'busbar-defaults': 'busbar (defaults)',
  'busbar-journal': 'busbar (metrics, journal)',
  'busbar-no-journal': 'busbar (metrics, no journal)',
  aedes: 'aedes (bare)',
  mosquitto: 'mosquitto',
};

export interface Target {
  readonly name: TargetName;
  /**
   * Where the benchmark publishes (`<root>/p<n>/cpu`). The journal targets publish on busbar's
   * metric topics, where a QoS 1 message is journaled (or not) before its PUBACK; the others on
   * `bench/...`, which no component reads.
   */
  readonly topicRoot: string;
  readonly port: number;
  readonly pid: number;
  /** Why the process ended on its own, or undefined while it runs (or after `stop()`). */
  crash(): string | undefined;
  /** Resolves with the reason if the process ends before `stop()` is called. */
  readonly crashed: Promise<string>;
  stop(): Promise<void>;
}

export interface TargetOptions {
  /** Extra `node` flags for the Node targets, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`. */
  nodeArgs: string[];
  /** busbar targets: `broker.sysInterval` (busbar/stats/broker), e.g. `1s`; default busbar's own. */
  sysInterval?: string;
  /** busbar targets: run the host agent too, as `npm start` does (its sampling is periodic work). */
  withAgent?: boolean;
  /** Extra environment variables for the process. */
  env?: Record<string, string>;
}

const MOSQUITTO = '/usr/sbin/mosquitto';
const here = path.dirname(fileURLToPath(import.meta.url));
/** `.js` when running the build from dist/bench/, `.ts` under tsx. */
const ownExtension = path.extname(fileURLToPath(import.meta.url));
const repoRoot = ownExtension === '.ts' ? path.resolve(here, '..') : path.resolve(here, '../..');
/** The built CLI, exactly as users run it. */
export const BUSBAR_CLI = path.join(repoRoot, 'dist/cli/main.js');

/**
 * A script of bench/ by name (`loop-monitor`), beside this one, as `node` runs it: the built `.js`
 * from dist/bench/, or the `.ts` with tsx's loader in front when the bench runs under tsx.
 */
export function siblingScript(name: string): { script: string; loader: string[] } {
  return {
    script: path.join(here, `${name}${ownExtension}`),
    loader: ownExtension === '.ts' ? ['--import', 'tsx'] : [],
  };
}

const running = new Set<Target>();

/**
 * The `node` flags of package.json's `start` script (`--no-memory-reducer`, docs/performance.md,
 * "Broker latency"), so that busbar runs here exactly as `npm start` runs it.
 */
export function startScriptNodeFlags(): string[] {
  const manifest = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
    scripts: { start: string };
  };
  const match = /\bnode ((?:--\S+ )*)dist\/cli\/main\.js start\b/.exec(manifest.scripts.start);
  if (!match)
    throw new Error(
      `package.json's start script no longer runs node dist/cli/main.js start: ${manifest.scripts.start}`,
    );
  return match[1]!.split(' ').filter((flag) => flag !== '');
}

export async function startTarget(name: TargetName, options: TargetOptions): Promise<Target> {
  const port = await freePort();
  const dir = await mkdtemp(path.join(tmpdir(), `busbar-bench-${name}-`));
  try {
    const [command, args] = await commandFor(name, port, dir, options);
    const target = launch(name, port, command, args, dir, options.env);
    running.add(target);
    try {
      await Promise.race([
        waitForPort(port),
        target.crashed.then((reason) => Promise.reject(new Error(reason))),
      ]);
    } catch (error) {
      await target.stop();
      throw new Error(`${TARGET_LABELS[name]} did not start`, { cause: error });
    }
    return target;
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** Stops every target still running; safe to call from a signal handler and more than once. */
export async function stopAllTargets(): Promise<void> {
  await Promise.all([...running].map((target) => target.stop()));
}

async function commandFor(
  name: TargetName,
  port: number,
  dir: string,
  options: TargetOptions,
): Promise<[string, string[]]> {
  switch (name) {
    case 'mosquitto': {
      if (!existsSync(MOSQUITTO)) throw new Error(`${MOSQUITTO} is missing; apt-get install -y mosquitto`);
      const conf = path.join(dir, 'mosquitto.conf');
      await writeFile(
        conf,
        [
          `listener ${port} 127.0.0.1`,
          'allow_anonymous true',
          'persistence false',
          // 0 = no limit on queued QoS 1 messages per client, so QoS 1 is never dropped;
          // max_inflight_messages stays at its default (20).
          'max_queued_messages 0',
          'log_dest stderr',
          'log_type error',
          'log_type warning',
          '',
        ].join('\n'),
      );
      return [MOSQUITTO, ['-c', conf]];
    }
    case 'aedes': {
      const { script, loader } = siblingScript('aedes-bare');
      return [process.execPath, [...options.nodeArgs, ...loader, script, String(port)]];
    }
    case 'busbar':
    case 'busbar-defaults':
    case 'busbar-journal':
    case 'busbar-no-journal': {
      if (!existsSync(BUSBAR_CLI)) throw new Error(`${BUSBAR_CLI} is missing; run \`npm run build\``);
      const conf = path.join(dir, 'busbar.yaml');
      await writeFile(conf, busbarConfig(name, port, dir, options.sysInterval, options.withAgent));
      const flags = [...startScriptNodeFlags(), ...options.nodeArgs];
      return [process.execPath, [...flags, BUSBAR_CLI, 'start', '-c', conf]];
    }
  }
}

function launch(
  name: TargetName,
  port: number,
  command: string,
  args: string[],
  dir: string,
  env?: Record<string, string>,
): Target {
  const child: ChildProcess = spawn(command, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: env === undefined ? process.env : { ...process.env, ...env },
  });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-4_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let stopping = false;
  let crash: string | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
  const crashed = new Promise<string>((resolve) => {
    const onEnd = (detail: string): void => {
      if (stopping) return;
      crash = `${TARGET_LABELS[name]} (pid ${child.pid}) ${detail}${output ? `; its output:\n${output}` : ''}`;
      resolve(crash);
    };
    child.once('exit', (code, signal) => onEnd(`exited with ${signal ?? `code ${code}`}`));
    child.once('error', (error) => onEnd(`failed to spawn: ${error.message}`));
  });
  if (child.pid === undefined) throw new Error(`could not spawn ${command}`);
  const target: Target = {
    name,
    topicRoot: name === 'busbar-journal' || name === 'busbar-no-journal' ? 'busbar/metrics' : 'bench',
    port,
    pid: child.pid,
    crash: () => crash,
    crashed,
    async stop() {
      running.delete(target);
      stopping = true;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
  return target;
}

/**
 * `busbar`: busbar started as a dedicated broker process (how a site that outgrows one machine runs
 * its brokers, docs/scaling.md): the components that consume metrics are off. `busbar (defaults)`:
 * as `npm start` runs it, history store, alarms and web on, beside the broker in one process. The
 * host agent is off in all: its 10 s sampling is periodic work unrelated to messages, only noise.
 * `busbar (metrics, journal)` and `(metrics, no journal)`: the defaults, fed on metric topics, with
 * the intake journal on (as `npm start` has it) and off: their ratio is the cost of durable
 * acknowledgement.
 */
function busbarConfig(
  name: TargetName,
  port: number,
  dir: string,
  sysInterval?: string,
  withAgent = false,
): string {
  const sys = sysInterval === undefined ? '' : `, sysInterval: ${sysInterval}`;
  const journal =
    name === 'busbar-journal' || name === 'busbar-no-journal'
      ? `, journal: { enabled: ${name === 'busbar-journal'}, path: ${JSON.stringify(path.join(dir, 'journal'))} }`
      : `, journal: { path: ${JSON.stringify(path.join(dir, 'journal'))} }`;
  const lines = [
    'log: { level: warn, format: json }',
    `agent: { enabled: ${withAgent} }`,
    `broker: { listeners: [{ type: tcp, host: 127.0.0.1, port: ${port} }]${sys}${journal} }`,
  ];
  if (name === 'busbar') {
    lines.push(
      'web: { enabled: false }',
      'alarms: { enabled: false }',
      'sinks: { history: { enabled: false } }',
    );
  } else {
    lines.push(
      'web: { port: 0 }',
      `sinks: { history: { path: ${JSON.stringify(path.join(dir, 'history.db'))} } }`,
      `alarms: { statePath: ${JSON.stringify(path.join(dir, 'alarms.json'))} }`,
    );
  }
  return `${lines.join('\n')}\n`;
}
