import { stampedReceiveTime, stampReceiveTime } from '../core/bus/receive-time.js';
import { decodedPayload } from '../core/codecs/decoded-payload.js';
import { parseLineProtocol, type LineError } from '../core/codecs/line-protocol.js';
import { parseJsonMetrics } from '../core/codecs/payload-json.js';
import { parseValuePayload } from '../core/codecs/payload-value.js';
import { parseMetricTopic, type Topics } from '../core/topics.js';
import type { Decoded, Rejection } from './decoded.js';

const PLAIN_NUMBER_RE = /^\s*-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;
/** The first character that `trimStart` would keep. */
const NOT_SPACE = /\S/;

export function lineRejection(error: LineError): Rejection {
  return { reason: 'line-protocol', detail: `line ${error.line}: ${error.message}` };
}

/** A metric message decoded, as every in-process consumer of the metric topics reads it. */
export interface CanonicalMessage extends Decoded {
  /**
   * The payload itself (without a final newline) when it is line protocol in which every line
   * decoded and carried its own nanosecond timestamp, laid out plainly (no comment, carriage return,
   * blank line or indentation): it can then go to InfluxDB byte for byte, without serialising again.
   */
  readonly verbatim: string | undefined;
}

/** A decode kept on the payload Buffer, with the topic it was decoded for. */
interface Kept extends CanonicalMessage {
  readonly topic: string;
}

const KEPT = Symbol('busbar.canonicalDecode');
type Carrying = Buffer & { [KEPT]?: Kept };

/**
 * Decodes a message on `<base>/metrics/<source>/<measurement>`: line protocol (the native form),
 * JSON (first character `{` or `[`), or a bare number, which becomes field `value` of the topic's
 * measurement so the simplest device can publish `21.5` straight onto the metric topic.
 *
 * Decoded once per message (up to KEEP_UP_TO_BYTES): Aedes hands the same payload Buffer to every
 * in-process subscriber (the ingest's check, both sinks, the alarms, the web's live events), so the
 * first one's decode stays on the Buffer and the others read it — the same metric objects (read
 * them, never change them). A line without a time of its own gets the first consumer's time in every
 * store, whatever the payload's size. Metrics written by a component of this process
 * (decoded-payload.ts) are taken as they are.
 */
export function decodeCanonical(
  topics: Topics,
  topic: string,
  payload: Buffer,
  receivedNs: bigint,
): CanonicalMessage {
  const kept = (payload as Carrying)[KEPT];
  if (kept !== undefined && kept.topic === topic) return kept;
  // A payload this process wrote carries its metrics anyway (decoded-payload.ts): keeping costs nothing.
  if (payload.length <= KEEP_UP_TO_BYTES || decodedPayload(payload) !== undefined) {
    const decoded = decodeOnce(topics, topic, payload, receivedNs);
    (payload as Carrying)[KEPT] = decoded;
    return decoded;
  }
  // Parsed again by each consumer, but with the first one's time for the lines without one.
  const stamped = stampedReceiveTime(payload);
  if (stamped === undefined) stampReceiveTime(payload, receivedNs);
  return decodeOnce(topics, topic, payload, stamped ?? receivedNs);
}

/**
 * Decodes are kept for payloads up to this size: one-point messages, whose fixed costs this saves, and
 * a device's handful of lines (a PDU's outlets). A kept decode lives as long as the payload waits in
 * any consumer's queue, at several times the payload's size: kept for 100-line payloads too, it took
 * `bench:ingest`'s peak RSS from 304 to 570 MiB for 3 µs less CPU per point, so larger payloads are
 * parsed by each consumer, as before.
 */
const KEEP_UP_TO_BYTES = 2048;

function decodeOnce(topics: Topics, topic: string, payload: Buffer, receivedNs: bigint): Kept {
  const place = parseMetricTopic(topics, topic);
  if (!place) {
    return {
      topic,
      source: '_',
      metrics: [],
      rejections: [{ reason: 'topic', detail: `expected ${topics.base}/metrics/<source>/<measurement>` }],
      verbatim: undefined,
    };
  }
  // Written by our own serialiser from stamped metrics: plain, so it can go out as it is.
  const known = decodedPayload(payload);
  if (known !== undefined)
    return { topic, source: place.source, metrics: known.metrics, rejections: [], verbatim: known.text };
  const text = payload.toString('utf8');
  const at = text.search(NOT_SPACE);
  const first = at < 0 ? '' : text.charAt(at);
  if (first === '') {
    return {
      topic,
      source: place.source,
      metrics: [],
      rejections: [{ reason: 'empty', detail: 'empty payload' }],
      verbatim: undefined,
    };
  }
  if (first === '{' || first === '[') {
    const { metrics, errors } = parseJsonMetrics(text, { defaultTimestamp: receivedNs });
    return {
      topic,
      source: place.source,
      metrics,
      rejections: errors.map((error) => ({ reason: error.reason, detail: error.message })),
      verbatim: undefined,
    };
  }
  if (PLAIN_NUMBER_RE.test(text)) {
    const metric = {
      measurement: place.measurement,
      tags: {},
      fields: { value: parseValuePayload(text, 'float') },
      timestamp: receivedNs,
    };
    return { topic, source: place.source, metrics: [metric], rejections: [], verbatim: undefined };
  }
  // Parsed without a default timestamp so that lines without one can be told apart (not verbatim).
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
  return {
    topic,
    source: place.source,
    metrics,
    rejections: errors.map(lineRejection),
    verbatim: plain ? body : undefined,
  };
}

/** Comments, carriage returns, blank lines and indentation: legal, but left to our own serialiser. */
const UNUSUAL_LAYOUT = /[#\r\t]|\n\n|\n | ^ /;
