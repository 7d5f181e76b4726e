/**
 * `npm run bench:redis`: how many keys per second the Redis bridge reads (SCAN + pipelined MGET),
 * maps (JSON parse, field paths, unit conversion, tags from the key) and publishes (line protocol
 * through the embedded broker to a subscriber), for 10,000 JSON keys. A redis-server is started on
 * a free port in a temporary directory; the bridge runs inside a whole in-process busbar.
 *
 *   npm run bench:redis                 # 10,000 keys, 7 reads (2 warm-up)
 *   BENCH_KEYS=50000 BENCH_READS=5 npm run bench:redis
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { startBusbar } from '../cli/app.js';
import { parseConfig } from '../config/load.js';
import { createLogger } from '../core/runtime/logger.js';
import { freePort } from './ports.js';

const KEYS = Number(process.env.BENCH_KEYS ?? 10_000);
const READS = Number(process.env.BENCH_READS ?? 7);
const WARMUP = 2;
const RACKS = 40;
const PHASES = ['PA', 'PB', 'PC'];

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'busbar-bench-redis-'));
  const port = await freePort();
  const server = spawn(
    '/usr/bin/redis-server',
    ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no', '--dir', dir],
    {
      stdio: 'ignore',
    },
  );
  const client = new Redis({ port, lazyConnect: true, retryStrategy: () => 50 });
  try {
    await waitForRedis(client);
    await load(client);
    const perRead = await measure(port);
    report(perRead);
  } finally {
    client.disconnect();
    server.kill('SIGTERM');
    await new Promise((resolve) => server.once('exit', resolve));
    await rm(dir, { recursive: true, force: true });
  }
}

/** 10,000 busplug keys shaped like seed 000's: `electrical:busplug:R12:PB:0042` → JSON. */
async function load(client: Redis): Promise<void> {
  const pipeline = client.pipeline();
  for (let i = 0; i < KEYS; i++) {
    const rack = `R${(i % RACKS) + 1}`;
    const phase = PHASES[Math.floor(i / RACKS) % 3]!;
    const value = {
      current_a: 4.2 + (i % 7),
      voltage_v: 240,
      power_kw: 1 + (i % 13) / 10,
      energy_kwh: 1_000 + i,
      pf: 0.97,
      status: 'ok',
    };
    pipeline.set(`electrical:busplug:${rack}:${phase}:${String(i).padStart(5, '0')}`, JSON.stringify(value));
  }
  await pipeline.exec();
}

/** Milliseconds of each measured full read, as the bridge reports it in its stats (`lastReadMs`). */
async function measure(port: number): Promise<{ ms: number[]; lines: number }> {
  const config = parseConfig({
    log: { level: 'warn', format: 'json' },
    broker: { listeners: [{ type: 'tcp', host: '127.0.0.1', port: 0 }] },
    agent: { enabled: false },
    sinks: { history: { enabled: false } },
    bridges: {
      redis: {
        port,
        statsInterval: 50,
        selections: [
          {
            name: 'busplug',
            match: 'electrical:busplug:*',
            pattern: 'electrical:busplug:{rack}:{phase}:{plug}',
            source: 'moc',
            measurement: 'busplug',
            fields: [
              { path: 'power_kw', name: 'power_w', scale: 1000 },
              { path: 'current_a' },
              { path: 'energy_kwh' },
              { path: 'pf' },
            ],
            lookups: { pod: { from: 'rack', values: { R1: 'pod1', R2: 'pod1' }, default: 'pod2' } },
            interval: 1_000,
          },
        ],
      },
    },
  });
  const busbar = await startBusbar(config, createLogger({ level: 'warn', format: 'json' }));
  let lines = 0;
  const reads: number[] = [];
  let lastReads = 0;
  const done = new Promise<void>((resolve) => {
    void busbar.bus.subscribe('busbar/#', (message) => {
      if (message.topic.startsWith('busbar/metrics/')) {
        for (let i = message.payload.indexOf(10); i !== -1; i = message.payload.indexOf(10, i + 1)) lines++;
        lines++;
        return;
      }
      if (message.topic !== 'busbar/stats/redis') return;
      const stats = JSON.parse(message.payload.toString()) as {
        selections: { busplug: { reads: number; lastReadMs: number } };
      };
      const { reads: count, lastReadMs } = stats.selections.busplug;
      if (count > lastReads) {
        lastReads = count;
        reads.push(lastReadMs);
        if (reads.length >= READS) resolve();
      }
    });
  });
  await done;
  await busbar.stop();
  return { ms: reads.slice(WARMUP), lines };
}

function report({ ms, lines }: { ms: number[]; lines: number }): void {
  const sorted = [...ms].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  const rate = (m: number): string => Math.round((KEYS / m) * 1000).toLocaleString('en');
  console.log(
    `Redis bridge: ${KEYS.toLocaleString('en')} JSON keys, SCAN + pipelined MGET (500 keys each) + map + publish`,
  );
  console.log(`reads measured: ${ms.length} (after ${WARMUP} warm-up), each ${sorted.join(', ')} ms`);
  console.log(
    `median read: ${median} ms  →  ${rate(median)} keys/s (best ${rate(sorted[0]!)}, worst ${rate(sorted.at(-1)!)})`,
  );
  console.log(`metric lines received by the subscriber: ${lines.toLocaleString('en')}`);
}

/** The server takes a moment to listen; ioredis keeps reconnecting (retryStrategy) until it does. */
async function waitForRedis(client: Redis): Promise<void> {
  client.on('error', () => undefined); // refused connections before the server listens are expected
  client.connect().catch(() => undefined);
  const deadline = Date.now() + 10_000;
  while (client.status !== 'ready') {
    if (Date.now() > deadline) throw new Error(`redis-server did not start (status ${client.status})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
