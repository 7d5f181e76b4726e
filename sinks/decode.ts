/**
 * How a sink reads a message on `<base>/metrics/<source>/<measurement>`. The ingest component has
 * already counted and dead-lettered whatever does not decode, so sinks skip it silently.
 */
import { decodedPayload } from '../core/codecs/decoded-payload.js';
import { decodeCanonical } from '../ingest/canonical.js';
import { parseLineProtocol } from '../core/codecs/line-protocol.js';
import type { Metric } from '../core/codecs/metric.js';
import { parseMetricTopic, type Topics } from '../core/topics.js';

export interface SinkMessage {
  readonly source: string;
  /** Every metric that decoded; each has a timestamp (the arrival time when the payload had none). */
  readonly metrics: Metric[];
  /**
   * The payload itself (without a final newline) when it is line protocol in which every line
   * decoded and carried its own nanosecond timestamp, laid out plainly (no comment, carriage return,
   * blank line or indentation): it can then go to InfluxDB byte for byte, without serialising again.
   */
  readonly verbatim: string | undefined;
}

const NOTHING: SinkMessage = { source: '_', metrics: [], verbatim: undefined };

export function decodeForSink(
  topics: Topics,
  topic: string,
  payload: Buffer,
  receivedNs: bigint,
): SinkMessage {
  const known = decodedPayload(payload);
  if (known !== undefined) {
    // Written by our own serialiser from stamped metrics: plain, so it can go out as it is.
    const place = parseMetricTopic(topics, topic);
    return place ? { source: place.source, metrics: known.metrics, verbatim: known.text } : NOTHING;
  }
  const text = payload.toString('utf8');
  const first = firstCharacter(text);
  // JSON and bare numbers are rare and small: the ingest decoder handles them.
  if (first === '{' || first === '[' || first === '' || isBareNumber(text)) {
    const decoded = decodeCanonical(topics, topic, payload, receivedNs);
    return { source: decoded.source, metrics: decoded.metrics, verbatim: undefined };
  }
  const place = parseMetricTopic(topics, topic);
  if (!place) return NOTHING;
  // Parsed without a default timestamp so that lines without one can be told apart.
  const { metrics, errors } = parseLineProtocol(text);
  let stamped = true;
  for (const metric of metrics) {
    if (metric.timestamp === undefined) {
      metric.timestamp = receivedNs;
      stamped = false;
    }
  }
  const body = text.endsWith('\n') ? text.slice(0, -1) : text;
  const plain = stamped && errors.length === 0 && metrics.length > 0 && !UNUSUAL_LAYOUT.test(body);
  return { source: place.source, metrics, verbatim: plain ? body : undefined };
}

function firstCharacter(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return text.charAt(i);
  }
  return '';
}

/** Comments, carriage returns, blank lines and indentation: legal, but left to our own serialiser. */
const UNUSUAL_LAYOUT = /[#\r\t]|\n\n|\n | ^ /;

const BARE_NUMBER_RE = /^\s*-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;

function isBareNumber(text: string): boolean {
  return text.length < 64 && BARE_NUMBER_RE.test(text);
}
