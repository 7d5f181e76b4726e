/** A busbar with both InfluxDB sinks pointed at real servers, and a publisher, for the fault tests. */
import path from 'node:path';
import type { MqttClient } from 'mqtt';
import type { ConfigInput } from '../../config/schema.js';
import { startTestBusbar, type TestBusbar } from '../helpers/busbar.js';
import { Clients, record, subscribe, type ReceivedMessage } from '../helpers/mqtt-clients.js';

const delivery = {
  batchSize: 500,
  flushInterval: '50ms',
  statsInterval: '50ms',
  retryDelay: '100ms',
  maxRetryDelay: '400ms',
  timeout: '2s',
};

export function faultConfig(dir: string, influxUrl: string, vmUrl: string): ConfigInput {
  return {
    sinks: {
      history: { enabled: false },
      influxdb1: {
        url: influxUrl,
        database: 'metrics',
        outboxPath: path.join(dir, 'outbox-v1.db'),
        ...delivery,
      },
      influxdb: { url: vmUrl, bucket: 'metrics', outboxPath: path.join(dir, 'outbox-v2.db'), ...delivery },
    },
  };
}

export interface FaultBusbar {
  readonly busbar: TestBusbar;
  readonly publisher: MqttClient;
  /** The latest statistics of a sink (`influxdb` or `influxdb1`). */
  stats(sink: string): { accepted?: number; written?: number; outbox?: { lines: number } };
  close(): Promise<void>;
}

export async function startFaultBusbar(config: ConfigInput): Promise<FaultBusbar> {
  const busbar = await startTestBusbar(config);
  const clients = new Clients();
  const watcher = await clients.connect(busbar.url);
  const seen: ReceivedMessage[] = record(watcher);
  await subscribe(watcher, 'busbar/stats/+', 0);
  const publisher = await clients.connect(busbar.url);
  return {
    busbar,
    publisher,
    stats(sink) {
      const last = seen.filter((m) => m.topic === `busbar/stats/${sink}`).at(-1);
      return last ? (JSON.parse(last.payload) as ReturnType<FaultBusbar['stats']>) : {};
    },
    async close() {
      await clients.closeAll();
      await busbar.stop();
    },
  };
}

/** Publishes `lines` as messages of `perMessage` lines, pausing `pauseMs` between messages. */
export async function publishLines(
  client: MqttClient,
  lines: string[],
  perMessage: number,
  pauseMs = 0,
): Promise<void> {
  for (let i = 0; i < lines.length; i += perMessage) {
    await client.publishAsync('busbar/metrics/loader/fault', lines.slice(i, i + perMessage).join('\n'), {
      qos: 1,
    });
    if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
}
