/**
 * HTTP ingestion onto the bus, so the ingest component validates, counts and dead-letters these
 * messages exactly as it does MQTT ones:
 *   POST /api/v2/write?bucket=&precision=   InfluxDB 2.x write API (Telegraf, client libraries)
 *   POST /write?db=&precision=              InfluxDB 1.x write API
 *   POST /api/publish/<topic>[?retain=true] the body, as is, on a topic (devices that speak HTTP)
 * Publishing obeys broker.acl and broker.maxPacketSize as an MQTT client logged in as the same
 * user would: a write whose lines for one topic would make a larger message is sent as several,
 * split between lines; a publish that does not fit, or a single line that does not, is a 413.
 * Line protocol is grouped by source and measurement into one message per metric topic. The source
 * is the `source` parameter, else each line's `host` tag (Telegraf sets it), else `http`.
 * Timestamps are converted from `precision` to nanoseconds, and lines without one get the time the
 * request arrived, as InfluxDB does. Lines that do not parse are still published (raw, on their
 * source's `_http` topic) so the ingest path dead-letters them; the reply is then a 400 naming them,
 * as InfluxDB answers a partial write.
 */
import type { ServerResponse } from 'node:http';
import type { Bus } from '../core/bus/bus.js';
import { formatLineError, parseLineProtocol, serializeLineProtocol } from '../core/codecs/line-protocol.js';
import { nowNs, type Metric, type Precision } from '../core/codecs/metric.js';
import type { Topics } from '../core/topics.js';
import { HttpError, param, sendJson } from './http.js';

/**
 * The remaining length of the MQTT 3.1.1 PUBLISH at QoS 1 carrying `payloadBytes` on `topic` (topic
 * length and topic, packet id, payload [MQTT-3.3.2]): what broker.maxPacketSize limits for a client.
 */
export function publishPacketLength(topic: string, payloadBytes: number): number {
  return 2 + Buffer.byteLength(topic) + 2 + payloadBytes;
}

function tooLarge(topic: string, bytes: number, maxPacketSize: number): HttpError {
  return new HttpError(
    413,
    'too large',
    `a ${bytes}-byte message on ${topic} is over broker.maxPacketSize (${maxPacketSize} bytes)`,
  );
}

/** `lines` joined by newlines into as few payloads as fit one packet each on `topic`. */
function packLines(topic: string, lines: readonly string[], maxPacketSize: number): string[] {
  const room = maxPacketSize - publishPacketLength(topic, 0);
  const payloads: string[] = [];
  let current: string[] = [];
  let size = -1; // no newline before the first line
  for (const line of lines) {
    const bytes = Buffer.byteLength(line);
    if (bytes > room) throw tooLarge(topic, bytes, maxPacketSize);
    if (current.length > 0 && size + 1 + bytes > room) {
      payloads.push(current.join('\n'));
      current = [];
      size = -1;
    }
    size += 1 + bytes;
    current.push(line);
  }
  if (current.length > 0) payloads.push(current.join('\n'));
  return payloads;
}

const PRECISIONS: Readonly<Record<string, Precision>> = {
  ns: 'ns',
  n: 'ns',
  us: 'us',
  u: 'us',
  ms: 'ms',
  s: 's',
};

/** Topic level for lines that did not parse: the ingest path refuses and dead-letters them. */
export const UNPARSED_MEASUREMENT = '_http';

export async function handleWrite(
  url: URL,
  body: Buffer,
  response: ServerResponse,
  bus: Bus,
  topics: Topics,
  canPublish: (topic: string) => boolean,
  maxPacketSize: number,
): Promise<void> {
  const precisionText = param(url, 'precision') ?? 'ns';
  const precision = PRECISIONS[precisionText];
  if (precision === undefined)
    throw new HttpError(400, 'invalid', `precision ${precisionText}: ns, us, ms or s`);
  const fixedSource = param(url, 'source');
  const { metrics, errors } = parseLineProtocol(body.toString('utf8'), {
    precision,
    defaultTimestamp: nowNs(),
  });
  const groups = new Map<string, { source: string; measurement: string; metrics: Metric[] }>();
  for (const metric of metrics) {
    const source = fixedSource ?? metric.tags.host ?? 'http';
    const topic = topics.metrics(source, metric.measurement);
    let group = groups.get(topic);
    if (!group) groups.set(topic, (group = { source, measurement: metric.measurement, metrics: [] }));
    group.metrics.push(metric);
  }
  const unparsedTopic = topics.metrics(fixedSource ?? 'http', UNPARSED_MEASUREMENT);
  // All or nothing: a write the broker's ACL would partly refuse is refused whole, before publishing.
  const targets = [...groups.keys(), ...(errors.length > 0 ? [unparsedTopic] : [])];
  const denied = targets.filter((topic) => !canPublish(topic));
  if (denied.length > 0)
    throw new HttpError(403, 'forbidden', `broker.acl denies publishing to ${denied.join(', ')}`);
  // Sized before any publish, so a line too large for a packet refuses the write whole.
  const messages = [...groups].flatMap(([topic, group]) =>
    packLines(
      topic,
      group.metrics.map((metric) => serializeLineProtocol([metric])),
      maxPacketSize,
    ).map((payload) => ({ topic, payload })),
  );
  if (errors.length > 0) {
    const raw = errors.map((error) => error.text);
    for (const payload of packLines(unparsedTopic, raw, maxPacketSize))
      messages.push({ topic: unparsedTopic, payload });
  }
  await Promise.all(messages.map(({ topic, payload }) => bus.publish(topic, payload, { qos: 1 })));
  if (errors.length > 0) {
    const first = errors.slice(0, 10).map(formatLineError).join('; ');
    throw new HttpError(
      400,
      'invalid',
      `${errors.length} line(s) refused, ${metrics.length} accepted: ${first}`,
    );
  }
  response.writeHead(204);
  response.end();
}

/** An MQTT topic a client may publish to: no wildcards [MQTT-3.3.2-2], not `$SYS`, not empty. */
function publishableTopic(topic: string): boolean {
  return topic.length > 0 && !topic.includes('+') && !topic.includes('#') && !topic.startsWith('$');
}

export async function handlePublish(
  topic: string,
  url: URL,
  body: Buffer,
  response: ServerResponse,
  bus: Bus,
  canPublish: (topic: string) => boolean,
  maxPacketSize: number,
): Promise<void> {
  if (!publishableTopic(topic)) throw new HttpError(400, 'invalid', `cannot publish to "${topic}"`);
  if (!canPublish(topic)) throw new HttpError(403, 'forbidden', `broker.acl denies publishing to ${topic}`);
  if (publishPacketLength(topic, body.length) > maxPacketSize)
    throw tooLarge(topic, body.length, maxPacketSize);
  const retain = param(url, 'retain') === 'true';
  await bus.publish(topic, body, { qos: 1, retain });
  sendJson(response, 200, { topic, bytes: body.length, retain });
}
