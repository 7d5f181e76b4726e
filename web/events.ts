/**
 * `GET /api/events?source=<name>&state=<parts>`: live values as Server-Sent Events, so pages update
 * without reloading. One bus subscription per open stream, on that source's metric topics (every
 * source without `source`); each numeric field of each line becomes one `data:` event
 * `{"name": "<series name>", "time": <ms>, "value": <number>}`, named as the history store names
 * series. `state` (comma-separated `alarms`, `silences`, `stats`, `clients`) adds named events with
 * busbar's own state (state-events.ts); with `state` and no `source`, no metric values are sent.
 * A comment line every 15 s keeps proxies from closing an idle stream.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Bus, BusSubscription } from '../core/bus/bus.js';
import { receivedAt } from '../core/bus/receive-time.js';
import { fieldNumber, nowNs } from '../core/codecs/metric.js';
import type { Topics } from '../core/topics.js';
import { decodeCanonical } from '../ingest/canonical.js';
import { seriesName } from '../sinks/history/series-name.js';
import type { BusState, StatePart } from './bus-state.js';
import { HttpError } from './http.js';
import { STATE_PARTS, followState } from './state-events.js';

const KEEPALIVE_MS = 15_000;
/** Events held for a slow browser at most; beyond that the stream is closed (it reconnects). */
const MAX_BUFFERED_BYTES = 1024 * 1024;

export async function handleEvents(
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  bus: Bus,
  topics: Topics,
  state: BusState,
): Promise<void> {
  const source = url.searchParams.get('source');
  const filter = source ? topics.metricsOf(source) : topics.allMetrics;
  const parts = (url.searchParams.get('state') ?? '').split(',').filter((part) => part !== '');
  const unknown = parts.filter((part) => !STATE_PARTS.includes(part as StatePart));
  if (unknown.length > 0)
    throw new HttpError(400, 'invalid', `state: ${unknown.join(', ')}; one of ${STATE_PARTS.join(', ')}`);
  const withMetrics = source !== null || parts.length === 0;
  response.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-store',
    connection: 'keep-alive',
  });
  response.write(': connected\n\n');
  const send = (text: string): void => {
    if (response.writableLength > MAX_BUFFERED_BYTES) response.destroy();
    else response.write(text);
  };
  const unfollow = followState(state, parts as StatePart[], send);
  const subscription = withMetrics ? await followMetrics(bus, topics, filter, send) : undefined;
  const keepalive = setInterval(() => response.write(': keepalive\n\n'), KEEPALIVE_MS);
  await new Promise<void>((resolve) => {
    request.once('close', resolve);
    response.once('close', resolve);
  });
  clearInterval(keepalive);
  unfollow();
  await subscription?.unsubscribe();
}

/** One `data:` event per numeric field of each line on the metric topics matching `filter`. */
function followMetrics(
  bus: Bus,
  topics: Topics,
  filter: string,
  send: (text: string) => void,
): Promise<BusSubscription> {
  return bus.subscribe(
    filter,
    (message) => {
      if (message.retain) return;
      // Decoded as the stores decode it (and only once, whoever reads it first): line protocol, JSON
      // and bare numbers alike, with the same time for a line without one.
      const { source, metrics } = decodeCanonical(
        topics,
        message.topic,
        message.payload,
        receivedAt(message),
      );
      let out = '';
      for (const metric of metrics) {
        const time = Number((metric.timestamp ?? nowNs()) / 1000n) / 1000;
        for (const [field, value] of Object.entries(metric.fields)) {
          const number = fieldNumber(value);
          if (number === undefined) continue;
          const name = seriesName(source, metric.measurement, field, metric.tags);
          out += `data: ${JSON.stringify({ name, time, value: number })}\n\n`;
        }
      }
      if (out !== '') send(out);
    },
    { qos: 0 },
  );
}
