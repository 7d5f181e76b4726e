/**
 * A whole busbar in this process with a bridge configured, and everything it publishes on
 * `busbar/#` recorded from the bus: metric messages parsed back from line protocol, status and
 * stats messages as text. Shared by the SNMP and Redis bridge tests.
 */
import type { ConfigInput } from '../../config/schema.js';
import { parseLineProtocol } from '../../core/codecs/line-protocol.js';
import type { Metric } from '../../core/codecs/metric.js';
import { startTestBusbar, type TestBusbar } from '../helpers/busbar.js';
import { waitFor } from '../helpers/mqtt-clients.js';

export interface Recorded {
  readonly topic: string;
  readonly payload: string;
  readonly retain: boolean;
  readonly at: number;
}

export interface RecordedMetric extends Metric {
  readonly topic: string;
  readonly at: number;
}

export interface BridgeHarness {
  readonly busbar: TestBusbar;
  readonly messages: Recorded[];
  /** Metrics published on `busbar/metrics/<source>/<measurement>`, in arrival order. */
  metrics(source?: string, measurement?: string): RecordedMetric[];
  /** Payloads published on `topic`, in order. */
  payloads(topic: string): string[];
  /** Waits until `predicate` holds (default 10 s: long enough on a loaded machine). */
  until(predicate: () => boolean, what: string, timeoutMs?: number): Promise<void>;
  /** The last JSON published on `busbar/stats/<component>`. */
  stats<T = Record<string, unknown>>(component: string): T | undefined;
  stop(): Promise<void>;
}

export async function startBridgeHarness(config: ConfigInput): Promise<BridgeHarness> {
  // Only the bridge under test: no host agent, no history store.
  const busbar = await startTestBusbar({
    agent: { enabled: false },
    ...config,
    sinks: { history: { enabled: false }, ...config.sinks },
  });
  const messages: Recorded[] = [];
  const subscription = await busbar.running.bus.subscribe('busbar/#', (message) => {
    messages.push({
      topic: message.topic,
      payload: message.payload.toString('utf8'),
      retain: message.retain,
      at: Date.now(),
    });
  });
  const metrics = (source?: string, measurement?: string): RecordedMetric[] => {
    const out: RecordedMetric[] = [];
    for (const message of messages) {
      const [base, kind, from, what] = message.topic.split('/');
      if (base !== 'busbar' || kind !== 'metrics') continue;
      if ((source !== undefined && from !== source) || (measurement !== undefined && what !== measurement))
        continue;
      for (const metric of parseLineProtocol(message.payload).metrics)
        out.push({ ...metric, topic: message.topic, at: message.at });
    }
    return out;
  };
  const payloads = (topic: string): string[] =>
    messages.filter((m) => m.topic === topic).map((m) => m.payload);
  return {
    busbar,
    messages,
    metrics,
    payloads,
    until: (predicate, what, timeoutMs = 10_000) => waitFor(predicate, what, timeoutMs),
    stats<T>(component: string) {
      const last = payloads(`busbar/stats/${component}`).at(-1);
      return last === undefined ? undefined : (JSON.parse(last) as T);
    },
    async stop() {
      await subscription.unsubscribe();
      await busbar.stop();
    },
  };
}

/** A float field's value, failing loudly when the field is missing. */
export function floatField(metric: Metric, name: string): number {
  const field = metric.fields[name];
  if (!field || field.type !== 'float')
    throw new Error(`no float field ${name} in ${JSON.stringify(metric.fields)}`);
  return field.value;
}

/** The rows of the last complete poll (one poll's rows share one timestamp). */
export function lastPoll(metrics: RecordedMetric[]): RecordedMetric[] {
  const last = metrics.at(-1);
  return last ? metrics.filter((metric) => metric.timestamp === last.timestamp) : [];
}
