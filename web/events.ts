/**
 * `GET /api/events?source=<name>`: live values as Server-Sent Events, so pages update without
 * reloading. One bus subscription per open stream, on that source's metric topics (every source
 * without `source`); each numeric field of each line becomes one `data:` event
 * `{"name": "<series name>", "time": <ms>, "value": <number>}`, named as the history store names
 * series. A comment line every 15 s keeps proxies from closing an idle stream.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Bus } from '../core/bus.js';
import { parseLineProtocol } from '../core/line-protocol.js';
import { fieldNumber, nowNs } from '../core/metric.js';
import { parseMetricTopic, topicLevel, type Topics } from '../core/topics.js';
import { seriesName } from '../sinks/history/series-name.js';

const KEEPALIVE_MS = 15_000;
/** Events held for a slow browser at most; beyond that the stream is closed (it reconnects). */
const MAX_BUFFERED_BYTES = 1024 * 1024;

export async function handleEvents(
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  bus: Bus,
  topics: Topics,
): Promise<void> {
  const source = url.searchParams.get('source');
  const filter = source ? `${topics.base}/metrics/${topicLevel(source)}/+` : topics.allMetrics;
  response.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-store',
    connection: 'keep-alive',
  });
  response.write(': connected\n\n');
  const subscription = await bus.subscribe(
    filter,
    (message) => {
      const place = parseMetricTopic(topics, message.topic);
      if (!place || message.retain) return;
      const { metrics } = parseLineProtocol(message.payload.toString('utf8'), { defaultTimestamp: nowNs() });
      let out = '';
      for (const metric of metrics) {
        const time = Number((metric.timestamp ?? nowNs()) / 1000n) / 1000;
        for (const [field, value] of Object.entries(metric.fields)) {
          const number = fieldNumber(value);
          if (number === undefined) continue;
          const name = seriesName(place.source, metric.measurement, field, metric.tags);
          out += `data: ${JSON.stringify({ name, time, value: number })}\n\n`;
        }
      }
      if (out === '') return;
      if (response.writableLength > MAX_BUFFERED_BYTES) response.destroy();
      else response.write(out);
    },
    { qos: 0 },
  );
  const keepalive = setInterval(() => response.write(': keepalive\n\n'), KEEPALIVE_MS);
  await new Promise<void>((resolve) => {
    request.once('close', resolve);
    response.once('close', resolve);
  });
  clearInterval(keepalive);
  await subscription.unsubscribe();
}
