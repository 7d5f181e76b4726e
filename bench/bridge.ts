/**
 * `npm run bench:bridge`: messages per second forwarded over a busbar bridge to Mosquitto, at QoS 0
 * and QoS 1, against a reference measured in the same run: the same publisher publishing straight to
 * that Mosquitto. One publisher, one subscriber on the Mosquitto side; rounds alternate between the
 * two paths, and the medians are reported with their ratio.
 *
 *   node dist/bench/bridge.js [--messages N] [--rounds R]     (or BENCH_MESSAGES, BENCH_ROUNDS)
 */
import { performance } from 'node:perf_hooks';
import { startBridgedBusbar, type BridgedBusbar } from './bridge-target.js';
import { payloadFor } from './fan-in.js';
import { encodePublish } from './mqtt-packets.js';
import { processCpuSeconds } from './process-cpu.js';
import { RawClient, Subscriber, publishQos0, publishQos1 } from './raw-mqtt.js';
import { median } from './report.js';
import { startTarget, type Target } from './targets.js';

/** QoS 1 messages in flight for the publisher (the bridge keeps its own window of 256). */
const WINDOW = 64;
/** With no delivery for this long the round is over (QoS 0 drops, or a stall). */
const QUIET_MS = 2_000;

type Path = 'direct' | 'bridge';

interface Round {
  rate: number;
  delivered: number;
  /** busbar CPU microseconds per message (bridge rounds only). */
  busbarCpu: number;
}

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const text = index >= 0 ? process.argv[index + 1] : process.env[`BENCH_${name.toUpperCase()}`];
  const value = text === undefined ? fallback : Number(text);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name}: a positive integer, not ${text}`);
  return value;
}

let serial = 0;

async function round(
  path: Path,
  qos: 0 | 1,
  messages: number,
  mosquitto: Target,
  busbar: BridgedBusbar,
): Promise<Round> {
  serial += 1;
  const subscriber = await Subscriber.start(
    mosquitto.port,
    `bench-sub-${serial}`,
    `remote/q${qos}/#`,
    qos,
    'remote/',
  );
  const publisher = await RawClient.connect(
    path === 'direct' ? mosquitto.port : busbar.port,
    `bench-pub-${serial}`,
  );
  try {
    const topic = path === 'direct' ? `remote/q${qos}/cpu` : `bench/q${qos}/cpu`;
    const template = encodePublish(topic, payloadFor(1), qos);
    let done!: () => void;
    const all = new Promise<void>((resolve) => (done = resolve));
    subscriber.notifyAt(messages, done);
    const cpuBefore = processCpuSeconds(busbar.pid);
    const startedAt = performance.now();
    subscriber.lastDeliveryAt = startedAt;
    const publishing =
      qos === 0
        ? publishQos0(publisher, template, messages)
        : publishQos1(publisher, template, messages, WINDOW);
    let timer: NodeJS.Timeout | undefined;
    const quiet = new Promise<void>((resolve) => {
      timer = setInterval(() => {
        if (performance.now() - subscriber.lastDeliveryAt > QUIET_MS) resolve();
      }, 100);
    });
    await Promise.race([Promise.all([all, publishing]), quiet]);
    clearInterval(timer);
    const elapsed = (subscriber.lastDeliveryAt - startedAt) / 1000;
    const cpu = processCpuSeconds(busbar.pid) - cpuBefore;
    return {
      rate: subscriber.delivered / elapsed,
      delivered: subscriber.delivered,
      busbarCpu: path === 'bridge' ? (cpu * 1e6) / subscriber.delivered : 0,
    };
  } finally {
    await Promise.all([subscriber.close(), publisher.close()]);
  }
}

const format = (n: number): string => Math.round(n).toLocaleString('en-US');

async function main(): Promise<void> {
  const messages = option('messages', 50_000);
  const rounds = option('rounds', 3);
  const mosquitto = await startTarget('mosquitto', { nodeArgs: [] });
  let busbar: BridgedBusbar | undefined;
  let lost = false;
  try {
    busbar = await startBridgedBusbar(mosquitto.port);
    console.log(`bridge benchmark: ${format(messages)} messages per round, ${rounds} rounds, 1 publisher`);
    console.log(
      '| QoS | direct to Mosquitto msgs/s | over the bridge msgs/s | bridge / direct | busbar CPU µs/msg | delivered (bridge, worst round) |',
    );
    console.log('| --- | --- | --- | --- | --- | --- |');
    for (const qos of [0, 1] as const) {
      // Warm-up (JIT, SQLite pages), not counted.
      await round('bridge', qos, Math.ceil(messages / 4), mosquitto, busbar);
      const direct: Round[] = [];
      const bridged: Round[] = [];
      for (let r = 0; r < rounds; r += 1) {
        // Alternate the order so neither path always runs on a warmer machine.
        const order: Path[] = r % 2 === 0 ? ['direct', 'bridge'] : ['bridge', 'direct'];
        for (const path of order) {
          const result = await round(path, qos, messages, mosquitto, busbar);
          (path === 'direct' ? direct : bridged).push(result);
        }
      }
      const directRate = median(direct.map((r) => r.rate));
      const bridgeRate = median(bridged.map((r) => r.rate));
      const worst = Math.min(...bridged.map((r) => r.delivered));
      if (qos === 1 && worst < messages) lost = true;
      console.log(
        `| ${qos} | ${format(directRate)} | ${format(bridgeRate)} | ${(bridgeRate / directRate).toFixed(2)}× | ${median(bridged.map((r) => r.busbarCpu)).toFixed(0)} | ${format(worst)} / ${format(messages)} |`,
      );
    }
  } finally {
    await busbar?.stop();
    await mosquitto.stop();
  }
  if (lost) {
    console.error('a QoS 1 message was lost over the bridge');
    process.exitCode = 1;
  }
}

await main();
