/** Command-line flags of `npm run bench:broker -- ...`, each with a BENCH_* environment fallback. */
import { parseArgs } from 'node:util';
import { TARGET_NAMES, type TargetName } from './targets.js';

export interface BenchOptions {
  qos0Messages: number;
  qos1Messages: number;
  publishers: number;
  /** QoS 1 messages in flight per publisher. */
  window: number;
  rounds: number;
  targets: TargetName[];
  /** Directory for `node --cpu-prof` profiles of the Node targets, or undefined. */
  profileDir: string | undefined;
  /** Slow-subscriber scenario (slow-subscriber.ts): seconds per run, 0 skips it. */
  latencySeconds: number;
  latencyRate: number;
  latencyPayload: number;
  /** Only the latency scenario (busbar with npm start's components vs Mosquitto), no fan-in rounds. */
  latencyOnly: boolean;
  /** Run bench/loop-monitor.ts in busbar during the latency scenario and sum up its stalls. */
  loopMonitor: boolean;
}

export const USAGE = `usage: node dist/bench/broker.js [options]
  --qos0 N          QoS 0 messages per round           (BENCH_QOS0, default 200000)
  --qos1 N          QoS 1 messages per round           (BENCH_QOS1, default 100000)
  --publishers N    publishing connections             (BENCH_PUBLISHERS, default 4)
  --window N        QoS 1 in-flight messages per publisher (BENCH_WINDOW, default 64)
  --rounds N        measured rounds; the median is shown (BENCH_ROUNDS, default 5)
  --targets LIST    comma-separated: ${TARGET_NAMES.join(',')} (BENCH_TARGETS, default all)
  --profile DIR     run the Node targets under --cpu-prof, profiles into DIR
  --latency-seconds N  latency and slow-subscriber scenarios: seconds per run, 0 skips them (BENCH_LATENCY_SECONDS, default 20)
  --latency-only       only the latency scenario: busbar as npm start runs it vs Mosquitto (BENCH_LATENCY_ONLY=1)
  --loop-monitor       in that scenario, also report busbar's own event-loop stalls and GC (BENCH_LOOP_MONITOR=1)
  --latency-rate N     its messages per second                  (BENCH_LATENCY_RATE, default 5000)
  --latency-payload N  its payload bytes (at least 8)           (BENCH_LATENCY_PAYLOAD, default 1024)`;

export function parseOptions(argv: string[], env: NodeJS.ProcessEnv): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      qos0: { type: 'string' },
      qos1: { type: 'string' },
      publishers: { type: 'string' },
      window: { type: 'string' },
      rounds: { type: 'string' },
      targets: { type: 'string' },
      profile: { type: 'string' },
      'latency-seconds': { type: 'string' },
      'latency-rate': { type: 'string' },
      'latency-payload': { type: 'string' },
      'latency-only': { type: 'boolean' },
      'loop-monitor': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const targets = (values.targets ?? env.BENCH_TARGETS ?? TARGET_NAMES.join(','))
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  const unknown = targets.filter((name) => !(TARGET_NAMES as readonly string[]).includes(name));
  if (unknown.length > 0 || targets.length === 0) {
    throw new Error(
      `--targets: unknown ${unknown.join(', ') || '(empty list)'}; choose from ${TARGET_NAMES.join(', ')}`,
    );
  }
  return {
    qos0Messages: count('--qos0', values.qos0 ?? env.BENCH_QOS0, 200_000),
    qos1Messages: count('--qos1', values.qos1 ?? env.BENCH_QOS1, 100_000),
    publishers: count('--publishers', values.publishers ?? env.BENCH_PUBLISHERS, 4),
    window: Math.min(count('--window', values.window ?? env.BENCH_WINDOW, 64), 60_000),
    rounds: count('--rounds', values.rounds ?? env.BENCH_ROUNDS, 5),
    targets: TARGET_NAMES.filter((name) => targets.includes(name)),
    profileDir: values.profile,
    latencySeconds:
      (values['latency-seconds'] ?? env.BENCH_LATENCY_SECONDS) === '0'
        ? 0
        : count('--latency-seconds', values['latency-seconds'] ?? env.BENCH_LATENCY_SECONDS, 20),
    latencyRate: count('--latency-rate', values['latency-rate'] ?? env.BENCH_LATENCY_RATE, 5_000),
    latencyPayload: Math.max(
      8,
      count('--latency-payload', values['latency-payload'] ?? env.BENCH_LATENCY_PAYLOAD, 1_024),
    ),
    latencyOnly: values['latency-only'] ?? env.BENCH_LATENCY_ONLY === '1',
    loopMonitor: values['loop-monitor'] ?? env.BENCH_LOOP_MONITOR === '1',
  };
}

function count(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text.replace(/_/g, ''));
  if (!Number.isInteger(value) || value <= 0)
    throw new Error(`${flag}: expected a positive integer, got ${text}`);
  return value;
}
