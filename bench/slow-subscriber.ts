/**
 * The slow-subscriber scenario of `npm run bench:broker`: a publisher sends a steady rate of QoS 0
 * messages to a probe client, which measures publish → deliver latency, once alone and once beside
 * a subscriber on `#` that never reads its socket. Publisher and probe live in this process, so the
 * send time carried in each payload and the receive time come from one clock. busbar's resident
 * memory is sampled from /proc during each run, and its drop counts read from busbar/stats/broker.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { PUBACK_LENGTH, PacketType, encodePublish, encodeSubscribe, writePuback } from './mqtt-packets.js';
import { RawClient } from './raw-mqtt.js';
import type { Target } from './targets.js';

export interface LatencySpec {
  /** Messages per second the publisher sends. */
  rate: number;
  durationMs: number;
  payloadBytes: number;
  /** Add a subscriber on `#` that stops reading after its SUBACK. */
  withNonReader: boolean;
  /**
   * QoS of the publish and of the probe's subscription (default 0). At QoS 1 the probe PUBACKs each
   * delivery at once; the publisher's PUBACKs are not waited for: the latency is still publish →
   * deliver, now through the broker's QoS 1 path (packet ids, in-flight tracking).
   */
  qos?: 0 | 1;
}

export interface LatencyResult {
  sent: number;
  delivered: number;
  /** Over all messages sent; Infinity when that share was not delivered. */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Largest resident set of the broker process sampled during the run. */
  rssMaxBytes: number;
  /** busbar/stats/broker at the end of the run (undefined if the target publishes none). */
  stats: { messagesDropped?: number; queueDisconnects?: number } | undefined;
}

/** Publishes every TICK_MS, so the rate is steady at this scale rather than bursts each second. */
const TICK_MS = 10;
/** After the last publish, the probe may still be receiving; then the run is over. */
const SETTLE_MS = 1_000;
const STATS_TOPIC = 'busbar/stats/broker';

let serial = 0;

export async function runLatency(target: Target, spec: LatencySpec): Promise<LatencyResult> {
  const run = ++serial;
  const latencies: number[] = [];
  const probe = await RawClient.connect(target.port, `latency-probe-${run}`);
  const publisher = await RawClient.connect(target.port, `latency-pub-${run}`);
  const monitor = await RawClient.connect(target.port, `latency-monitor-${run}`);
  let slow: RawClient | undefined;
  let stats: LatencyResult['stats'];
  try {
    const qos = spec.qos ?? 0;
    probe.socket.write(encodeSubscribe(1, 'latency/#', qos));
    await probe.expect(PacketType.suback);
    const acks: number[] = [];
    probe.use(
      (type, flags, chunk, start) => {
        if (type !== PacketType.publish) return;
        // Topic (2-byte length + UTF-8), at QoS 1 a packet id [MQTT-3.3.2.2], then the payload,
        // whose first 8 bytes are the send time.
        let at = start + 2 + ((chunk[start]! << 8) | chunk[start + 1]!);
        if ((flags & 0x06) === 0x02) {
          acks.push((chunk[at]! << 8) | chunk[at + 1]!);
          at += 2;
        }
        latencies.push(performance.now() - chunk.readDoubleBE(at));
      },
      () => {
        if (acks.length === 0) return;
        const out = Buffer.allocUnsafe(PUBACK_LENGTH * acks.length);
        acks.forEach((id, i) => writePuback(out, i * PUBACK_LENGTH, id));
        acks.length = 0;
        probe.socket.write(out);
      },
    );
    monitor.socket.write(encodeSubscribe(1, STATS_TOPIC, 0));
    await monitor.expect(PacketType.suback);
    monitor.use((type, _flags, chunk, start, end) => {
      if (type !== PacketType.publish) return;
      const topicEnd = start + 2 + ((chunk[start]! << 8) | chunk[start + 1]!);
      stats = JSON.parse(chunk.toString('utf8', topicEnd, end)) as LatencyResult['stats'];
    });
    if (spec.withNonReader) {
      slow = await RawClient.connect(target.port, `latency-slow-${run}`);
      slow.socket.write(encodeSubscribe(1, '#', 0));
      await slow.expect(PacketType.suback);
      slow.socket.pause(); // never reads again: its kernel buffers fill, then busbar's queue for it
    }

    let rssMaxBytes = residentBytes(target.pid);
    const sampler = setInterval(() => (rssMaxBytes = Math.max(rssMaxBytes, residentBytes(target.pid))), 100);
    const template = encodePublish('latency/probe', Buffer.alloc(spec.payloadBytes), qos);
    const payloadAt = template.bytes.length - spec.payloadBytes;
    const perTick = Math.max(1, Math.round((spec.rate * TICK_MS) / 1000));
    const ticks = Math.ceil(spec.durationMs / TICK_MS);
    const startedAt = performance.now();
    let sent = 0;
    let packetId = 0;
    try {
      for (let tick = 0; tick < ticks; tick++) {
        // Against the schedule, not the previous tick: a late tick sends on time for the next one.
        const due = startedAt + tick * TICK_MS;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        const batch = Buffer.allocUnsafe(template.bytes.length * perTick);
        for (let i = 0; i < perTick; i++) {
          const at = i * template.bytes.length;
          template.bytes.copy(batch, at);
          if (template.packetIdOffset >= 0) {
            packetId = packetId === 65_535 ? 1 : packetId + 1;
            batch.writeUInt16BE(packetId, at + template.packetIdOffset);
          }
          batch.writeDoubleBE(performance.now(), at + payloadAt);
        }
        publisher.socket.write(batch);
        sent += perTick;
      }
      const settled = performance.now() + SETTLE_MS;
      while (latencies.length < sent && performance.now() < settled) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    } finally {
      clearInterval(sampler);
    }
    // Over every message sent: one not delivered within the run and SETTLE_MS counts as infinitely
    // late, or a stalled probe would show the good latency of the few messages it did receive.
    const sorted = Float64Array.from(latencies).sort();
    const quantile = (q: number): number => sorted[Math.floor(q * sent)] ?? Infinity;
    return {
      sent,
      delivered: latencies.length,
      p50Ms: quantile(0.5),
      p99Ms: quantile(0.99),
      maxMs: latencies.length < sent ? Infinity : sorted[sorted.length - 1]!,
      rssMaxBytes,
      stats,
    };
  } finally {
    slow?.socket.destroy();
    await Promise.all([probe.close(), publisher.close(), monitor.close()]);
  }
}

/** VmRSS of `pid` in bytes, from /proc/<pid>/status (Linux). */
function residentBytes(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) * 1024 : 0;
}
