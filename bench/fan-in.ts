/** One measured fan-in round: N publishers → one subscriber on `#`, against one running target. */
import { performance } from 'node:perf_hooks';
import { encodePublish } from './mqtt-packets.js';
import { processCpuTimes } from './process-cpu.js';
import { RawClient, Subscriber, publishQos0, publishQos1 } from './raw-mqtt.js';
import type { Target } from './targets.js';

export interface RoundSpec {
  qos: 0 | 1;
  messages: number;
  publishers: number;
  /** QoS 1 messages in flight per publisher. */
  window: number;
}

export interface RoundResult {
  sent: number;
  /** Deliveries on the benchmark's own topics. */
  delivered: number;
  /** Deliveries on other topics: what the broker publishes itself during the round. */
  others: number;
  /** First publish written → last delivery read. */
  elapsedMs: number;
  brokerCpuSeconds: number;
  /** The kernel's share of brokerCpuSeconds (stime). */
  brokerKernelSeconds: number;
  generatorCpuSeconds: number;
  /**
   * Share of the round the generator's event loop was busy (0..1). Near 1 means the generator,
   * not the broker, may be what limits throughput.
   */
  generatorBusy: number;
  /** Set when the round ended without every message arriving (stall, closed connection). */
  problem: string | undefined;
}

/** With no delivery for this long the round is over: QoS 0 drops, or a stalled broker. */
const QUIET_MS = 1_000;
const STALL_MS = 10_000;

/** ~64 bytes of line protocol, the kind of payload busbar ingests. */
export function payloadFor(publisher: number): Buffer {
  return Buffer.from(`cpu,host=web${publisher} usage_user=12.5,usage_sys=3.25 1732530000000000000`);
}

let connectionSerial = 0;

export async function runRound(target: Target, spec: RoundSpec): Promise<RoundResult> {
  const serial = ++connectionSerial;
  const subscriber = await Subscriber.start(
    target.port,
    `bench-sub-${serial}`,
    '#',
    spec.qos,
    `${target.topicRoot}/`,
  );
  const publishers: RawClient[] = [];
  try {
    for (let p = 1; p <= spec.publishers; p++) {
      publishers.push(await RawClient.connect(target.port, `bench-pub-${serial}-${p}`));
    }
    const share = (p: number): number =>
      Math.floor(spec.messages / spec.publishers) + (p < spec.messages % spec.publishers ? 1 : 0);

    let allDelivered!: () => void;
    const delivered = new Promise<void>((resolve) => (allDelivered = resolve));
    subscriber.notifyAt(spec.messages, allDelivered);

    const brokerBefore = processCpuTimes(target.pid);
    const generatorBefore = process.cpuUsage();
    const loopBefore = performance.eventLoopUtilization();
    const startedAt = performance.now();
    subscriber.lastDeliveryAt = startedAt;
    let published = false;
    let problem: string | undefined;
    const publishing = Promise.all(
      publishers.map((client, p) => {
        const template = encodePublish(`${target.topicRoot}/p${p + 1}/cpu`, payloadFor(p + 1), spec.qos);
        return spec.qos === 0
          ? publishQos0(client, template, share(p))
          : publishQos1(client, template, share(p), spec.window);
      }),
    ).then(
      () => {
        published = true;
      },
      (error: unknown) => {
        problem ??= error instanceof Error ? error.message : String(error);
      },
    );

    // Ends the round when nothing arrives any more: after QoS 0 drops, or when a broker stalls.
    let watchdogTimer: NodeJS.Timeout | undefined;
    const watchdog = new Promise<void>((resolve) => {
      let lastCount = subscriber.delivered;
      let lastChange = performance.now();
      watchdogTimer = setInterval(() => {
        const now = performance.now();
        if (subscriber.delivered !== lastCount) {
          lastCount = subscriber.delivered;
          lastChange = now;
        }
        const quiet = now - lastChange;
        if (problem !== undefined || (published && quiet >= QUIET_MS) || quiet >= STALL_MS) {
          if (spec.qos === 1 && problem === undefined) {
            problem = published
              ? `no delivery for ${Math.round(quiet)} ms`
              : `no delivery for ${Math.round(quiet)} ms while publishers still wait for PUBACKs`;
          }
          resolve();
        }
      }, 50);
    });
    const crashed = target.crashed.then((reason) => Promise.reject(new Error(reason)));
    try {
      // Every message delivered and (QoS 1) acknowledged, or the watchdog gives up.
      await Promise.race([Promise.all([delivered, publishing]), watchdog, crashed]);
    } finally {
      clearInterval(watchdogTimer);
    }
    if (!published) problem ??= 'publishers did not finish';

    const brokerAfter = processCpuTimes(target.pid);
    const generator = process.cpuUsage(generatorBefore);
    const loop = performance.eventLoopUtilization(loopBefore);
    return {
      sent: spec.messages,
      delivered: subscriber.delivered,
      others: subscriber.others,
      elapsedMs: subscriber.lastDeliveryAt - startedAt,
      brokerCpuSeconds: brokerAfter.total - brokerBefore.total,
      brokerKernelSeconds: brokerAfter.kernel - brokerBefore.kernel,
      generatorCpuSeconds: (generator.user + generator.system) / 1e6,
      generatorBusy: loop.utilization,
      problem,
    };
  } finally {
    await Promise.all([subscriber.close(), ...publishers.map((client) => client.close())]);
  }
}
