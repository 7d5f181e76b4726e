/**
 * The ingest benchmark's load: line protocol generated once, before timing starts, then sent either
 * through MQTT publishers into busbar (QoS 1, a window of messages in flight per publisher) or straight
 * to VictoriaMetrics over HTTP (the ceiling of the same machine in the same run).
 */
import mqtt, { type MqttClient } from 'mqtt';

/** One MQTT message of the load. */
export interface LoadMessage {
  readonly topic: string;
  readonly payload: Buffer;
}

export interface LoadSpec {
  /** Lines in total. */
  readonly lines: number;
  readonly linesPerMessage: number;
  /** Distinct tag sets the lines cycle through. */
  readonly series: number;
  /** Float fields per line. */
  readonly fields: number;
}

/**
 * Messages of `linesPerMessage` lines of measurement `measurement`, each line with its own time:
 * series `i % series` at `startMs + floor(i / series)` ms, so no two lines share a series and a time.
 */
export function generateMessages(spec: LoadSpec, measurement: string, startMs: number): Buffer[] {
  const messages: Buffer[] = [];
  const fieldNames = Array.from({ length: spec.fields }, (_, f) => (f === 0 ? 'value' : `value${f}`));
  for (let first = 0; first < spec.lines; first += spec.linesPerMessage) {
    let text = '';
    const last = Math.min(spec.lines, first + spec.linesPerMessage);
    for (let i = first; i < last; i++) {
      const series = i % spec.series;
      const ms = startMs + Math.floor(i / spec.series);
      const fields = fieldNames.map((name, f) => `${name}=${((i + f) % 1000) / 4}`).join(',');
      text += `${i === first ? '' : '\n'}${measurement},host=h${series},site=s${series % 7} ${fields} ${ms}000000`;
    }
    messages.push(Buffer.from(text));
  }
  return messages;
}

/** Line protocol messages on busbar's metric topic, as `publishAll` sends them. */
export function onMetricTopic(messages: Buffer[]): LoadMessage[] {
  return messages.map((payload) => ({ topic: 'busbar/metrics/bench/load', payload }));
}

/**
 * Publishes every message over `publishers` connections, `window` at a time on each; resolves when
 * all are acknowledged (QoS 1) or written to the socket (QoS 0).
 */
export async function publishAll(
  url: string,
  messages: readonly LoadMessage[],
  publishers: number,
  window: number,
  qos: 0 | 1 = 1,
): Promise<void> {
  const clients: MqttClient[] = await Promise.all(
    Array.from({ length: publishers }, (_, p) =>
      mqtt.connectAsync(url, { clientId: `bench-publisher-${p}`, protocolVersion: 4, reconnectPeriod: 0 }),
    ),
  );
  try {
    let next = 0;
    const worker = async (client: MqttClient): Promise<void> => {
      const inFlight = new Set<Promise<unknown>>();
      while (next < messages.length) {
        const message = messages[next++] as LoadMessage;
        const sent = client.publishAsync(message.topic, message.payload, { qos });
        inFlight.add(sent);
        void sent.finally(() => inFlight.delete(sent));
        if (inFlight.size >= window) await Promise.race(inFlight);
      }
      await Promise.all(inFlight);
    };
    await Promise.all(clients.map(worker));
  } finally {
    await Promise.all(clients.map((client) => client.endAsync()));
  }
}

/** POSTs every message to VictoriaMetrics' /api/v2/write, `batchLines` lines per request, `concurrency` at once. */
export async function postAll(
  vmUrl: string,
  messages: Buffer[],
  messagesPerRequest: number,
  concurrency: number,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < messages.length) {
      const body = Buffer.concat(joinLines(messages.slice(next, next + messagesPerRequest)));
      next += messagesPerRequest;
      const response = await fetch(`${vmUrl}/api/v2/write?bucket=bench&precision=ns`, {
        method: 'POST',
        body,
      });
      if (response.status !== 204)
        throw new Error(`VictoriaMetrics answered ${response.status}: ${await response.text()}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

const NEWLINE = Buffer.from('\n');

function joinLines(messages: Buffer[]): Buffer[] {
  return messages.flatMap((message, i) => (i === 0 ? [message] : [NEWLINE, message]));
}
