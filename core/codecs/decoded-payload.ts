/**
 * Metrics that an in-process publisher wrote as line protocol, carried with the payload Buffer. Aedes
 * hands that same Buffer to every in-process subscriber (see receive-time.ts), so the ingest component,
 * the sinks and the alarms take the metrics as they are instead of each parsing the text again; MQTT
 * clients, bridges and the journal see only the bytes. A property rather than a WeakMap, for the same
 * reason as receive-time.ts: weak entries per message cost the garbage collector more than the parse.
 */
import { compareCodePoints, serializeLineProtocol } from './line-protocol.js';
import { setEntry, type Metric } from './metric.js';

const DECODED = Symbol('busbar.decodedPayload');

/** The metrics of a payload, exactly as parsing its text would give them, and that text. */
export interface DecodedPayload {
  /** Shared by every in-process consumer: read them, never change them. */
  readonly metrics: Metric[];
  /** The payload as a string: plain line protocol, one line per metric, nanosecond timestamps. */
  readonly text: string;
}

type Carrying = Buffer & { [DECODED]?: DecodedPayload };

/**
 * Writes `metrics` as line protocol (throws as serializeLineProtocol does). When every metric has a
 * timestamp, the returned Buffer carries them, in the canonical form the text has (tags sorted), so
 * that what a consumer reads from the Buffer and from the text cannot differ.
 */
export function encodeMetrics(metrics: readonly Metric[]): Buffer {
  const text = serializeLineProtocol(metrics);
  const payload = Buffer.from(text);
  if (metrics.every((metric) => metric.timestamp !== undefined)) {
    (payload as Carrying)[DECODED] = { metrics: metrics.map(canonicalTags), text };
  }
  return payload;
}

/** The metrics `payload` was written from, when it came from `encodeMetrics` in this process. */
export function decodedPayload(payload: Buffer): DecodedPayload | undefined {
  return (payload as Carrying)[DECODED];
}

/** `metric` with its tags in the order the line protocol writer puts them. */
function canonicalTags(metric: Metric): Metric {
  const keys = Object.keys(metric.tags);
  if (keys.length < 2 || keys.every((key, i) => i === 0 || compareCodePoints(keys[i - 1]!, key) <= 0))
    return metric;
  const tags: Record<string, string> = {};
  for (const key of keys.sort(compareCodePoints)) setEntry(tags, key, metric.tags[key]!);
  return { ...metric, tags };
}
