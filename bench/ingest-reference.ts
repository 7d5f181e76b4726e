/**
 * The reference pipeline of the ingest benchmark, run in the same invocation as busbar's passes:
 * the same messages from the same publishers into Mosquitto, and a plain subscriber process
 * (ingest-reference-client.ts) that turns them into line protocol and posts batches to the same
 * VictoriaMetrics. Its CPU is Mosquitto's and the client's together, its memory their peaks added,
 * and what reached VictoriaMetrics is counted as for busbar. It has no history store and no durable
 * acknowledgement (Mosquitto acknowledges a message once it is in memory): it is the least a site
 * runs to get the same points into the same database.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { cpuSecondsWithChildren, memoryBytes } from './agent-proc.js';
import { publishAll, type LoadMessage } from './ingest-load.js';
import { countVictoriaMetrics } from './ingest-verify.js';
import { siblingScript, startTarget } from './targets.js';

export interface ReferenceSpec {
  readonly warmupLoad: readonly LoadMessage[];
  readonly warmupLines: number;
  readonly load: readonly LoadMessage[];
  readonly lines: number;
  readonly qos: 0 | 1;
  /** json: `{"value","ts"}` on `bench/<host>`; line: line protocol on busbar/metrics/... */
  readonly format: 'json' | 'line';
  readonly filter: string;
  /** The measurement of the load's points (the client names a JSON point's; a line names its own). */
  readonly measurement: string;
  readonly vmUrl: string;
  readonly batch: number;
  readonly publishers: number;
  readonly window: number;
}

export interface ReferenceResult {
  /**
   * Mosquitto's CPU for the same load with nobody subscribed: what accepting the messages alone costs
   * a broker in C here (reading, parsing, and for QoS 1 the PUBACK), the floor of any MQTT ingest.
   */
  readonly acceptOnlyCpu: number;
  readonly publishedMs: number;
  /** From the first publish until VictoriaMetrics accepted the last point (or the last that came). */
  readonly endToEndMs: number;
  readonly mosquittoCpu: number;
  readonly clientCpu: number;
  /** Mosquitto's peak RSS plus the client's. */
  readonly rssMax: number;
  /** Points of the measured load in VictoriaMetrics. */
  readonly stored: number;
}

/** How long the client may write nothing before the pass counts what arrived and stops waiting. */
const STALL_MS = 10_000;

export async function referencePass(spec: ReferenceSpec): Promise<ReferenceResult> {
  const mosquitto = await startTarget('mosquitto', { nodeArgs: [] });
  const brokerUrl = `mqtt://127.0.0.1:${mosquitto.port}`;
  let acceptOnlyCpu: number;
  try {
    const cpu0 = cpuSecondsWithChildren(mosquitto.pid);
    await Promise.race([
      publishAll(brokerUrl, spec.load, spec.publishers, spec.window, spec.qos),
      mosquitto.crashed.then(fail),
    ]);
    acceptOnlyCpu = cpuSecondsWithChildren(mosquitto.pid) - cpu0;
  } catch (error) {
    await mosquitto.stop();
    throw error;
  }
  const client = startClient(spec, brokerUrl);
  try {
    await Promise.race([client.ready, client.exited, mosquitto.crashed.then(fail)]);
    if (spec.warmupLoad.length > 0) {
      await publishAll(brokerUrl, spec.warmupLoad, spec.publishers, spec.window, spec.qos);
      await client.until(spec.warmupLines);
    }
    const mosquittoCpu0 = cpuSecondsWithChildren(mosquitto.pid);
    const clientCpu0 = cpuSecondsWithChildren(client.pid);
    const sampler = setInterval(() => client.sampleMemory(mosquitto.pid), 100);
    const t0 = performance.now();
    await Promise.race([
      publishAll(brokerUrl, spec.load, spec.publishers, spec.window, spec.qos),
      client.exited,
      mosquitto.crashed.then(fail),
    ]);
    const publishedMs = performance.now() - t0;
    const lastWriteAt = await client
      .until(spec.warmupLines + spec.lines)
      .finally(() => clearInterval(sampler));
    const result = {
      acceptOnlyCpu,
      publishedMs,
      endToEndMs: lastWriteAt - t0,
      mosquittoCpu: cpuSecondsWithChildren(mosquitto.pid) - mosquittoCpu0,
      clientCpu: cpuSecondsWithChildren(client.pid) - clientCpu0,
      rssMax: client.sampleMemory(mosquitto.pid),
    };
    return {
      ...result,
      stored: (await countVictoriaMetrics(spec.vmUrl, spec.measurement)) - spec.warmupLines,
    };
  } finally {
    client.stop();
    await mosquitto.stop();
  }
}

function fail(reason: string): never {
  throw new Error(reason);
}

function startClient(spec: ReferenceSpec, brokerUrl: string) {
  const { script, loader } = siblingScript('ingest-reference-client');
  const args = [
    brokerUrl,
    spec.filter,
    String(spec.qos),
    spec.format,
    spec.measurement,
    spec.vmUrl,
    String(spec.batch),
  ];
  const child = spawn(process.execPath, [...loader, script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error('could not spawn the reference client');
  const pid = child.pid;
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4_000)));
  let stopping = false;
  const exited = new Promise<never>((_resolve, reject) =>
    child.once('exit', (code, signal) => {
      if (!stopping) reject(new Error(`the reference client exited (${signal ?? code}): ${stderr}`));
    }),
  );
  exited.catch(() => undefined);
  let written = 0;
  let lastWriteAt = performance.now();
  let peaks = { client: 0, mosquitto: 0 };
  let resolveReady: () => void;
  const ready = new Promise<void>((resolve) => (resolveReady = resolve));
  createInterface({ input: child.stdout }).on('line', (line) => {
    const event = JSON.parse(line) as { ready?: boolean; written?: number };
    if (event.ready) resolveReady();
    if (event.written !== undefined) {
      written = event.written;
      lastWriteAt = performance.now();
    }
  });
  return {
    pid,
    ready,
    exited,
    /** Resolves with the time of the last write once `lines` are written, or nothing came for STALL_MS. */
    async until(lines: number): Promise<number> {
      const since = performance.now();
      while (written < lines) {
        if (performance.now() - Math.max(lastWriteAt, since) > STALL_MS) break;
        await Promise.race([new Promise((resolve) => setTimeout(resolve, 20)), exited]);
      }
      return lastWriteAt;
    },
    /** Samples both processes' resident memory; returns the sum of their peaks so far. */
    sampleMemory(mosquittoPid: number): number {
      peaks = {
        client: Math.max(peaks.client, memoryBytes(pid).peak),
        mosquitto: Math.max(peaks.mosquitto, memoryBytes(mosquittoPid).peak),
      };
      return peaks.client + peaks.mosquitto;
    },
    stop(): void {
      stopping = true;
      child.kill('SIGTERM');
    },
  };
}
