/**
 * The processes of the bridge benchmark: a Mosquitto (bench/targets.ts) and a busbar started as
 * `busbar start` with one bridge to it, forwarding `bench/q0/#` at QoS 0 and `bench/q1/#` at QoS 1
 * to `remote/q0/...` and `remote/q1/...`.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import { BUSBAR_CLI } from './targets.js';
import { freePort } from './ports.js';

export interface BridgedBusbar {
  readonly port: number;
  readonly pid: number;
  stop(): Promise<void>;
}

function config(port: number, remotePort: number, dataDir: string): string {
  const rule = (qos: 0 | 1): string =>
    `{ pattern: 'q${qos}/#', qos: ${qos}, localPrefix: 'bench/', remotePrefix: 'remote/' }`;
  return [
    'log: { level: warn, format: json }',
    `broker: { listeners: [{ type: tcp, host: 127.0.0.1, port: ${port} }] }`,
    'agent: { enabled: false }',
    // Several benchmark processes may run at once: no fixed HTTP port.
    'web: { port: 0 }',
    'sinks: { history: { enabled: false } }',
    'remotes:',
    `  dataDir: ${dataDir}`,
    '  bridges:',
    `    - { name: bench, addresses: ['mqtt://127.0.0.1:${remotePort}'], statusInterval: 200ms,`,
    `        rules: [${rule(0)}, ${rule(1)}] }`,
    '',
  ].join('\n');
}

/** Starts busbar and resolves once its bridge reports itself connected. */
export async function startBridgedBusbar(remotePort: number): Promise<BridgedBusbar> {
  if (!existsSync(BUSBAR_CLI)) throw new Error(`${BUSBAR_CLI} is missing; run \`npm run build\``);
  const dir = await mkdtemp(path.join(tmpdir(), 'busbar-bench-bridge-'));
  const port = await freePort();
  const file = path.join(dir, 'busbar.yaml');
  await writeFile(file, config(port, remotePort, path.join(dir, 'queues')));
  // BENCH_PROFILE=<dir>: a V8 CPU profile of busbar, written there when it stops.
  const profile = process.env.BENCH_PROFILE
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`]
    : [];
  const child = spawn(process.execPath, [...profile, BUSBAR_CLI, 'start', '-c', file], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-4_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await Promise.race([
      bridgeConnected(port),
      exited.then(() => Promise.reject(new Error(`busbar exited; its output:\n${output}`))),
    ]);
  } catch (error) {
    await stop();
    throw error;
  }
  if (child.pid === undefined) throw new Error('busbar has no pid');
  return { port, pid: child.pid, stop };
}

/** Polls busbar until it listens, then waits for `connected: true` on the bridge's status topic. */
async function bridgeConnected(port: number, timeoutMs = 15_000): Promise<void> {
  const client = mqtt.connect(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 100, connectTimeout: 2_000 });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no connected bridge after ${timeoutMs} ms`)),
        timeoutMs,
      );
      client.on('message', (_topic, payload) => {
        if ((JSON.parse(payload.toString()) as { connected?: boolean }).connected === true) {
          clearTimeout(timer);
          resolve();
        }
      });
      client.on('connect', () => void client.subscribeAsync('busbar/status/bridge/bench', { qos: 1 }));
    });
  } finally {
    await client.endAsync(true);
  }
}
