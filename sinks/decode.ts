/**
 * How a sink reads a message on `<base>/metrics/<source>/<measurement>`. The ingest component has
 * already counted and dead-lettered whatever does not decode, so sinks skip it silently.
 */
import { decodeCanonical } from '../ingest/canonical.js';
import type { Metric } from '../core/codecs/metric.js';
import type { Topics } from '../core/topics.js';

export interface SinkMessage {
  readonly source: string;
  /** Every metric that decoded; each has a timestamp (the arrival time when the payload had none). */
  readonly metrics: Metric[];
  /**
   * The payload itself (without a final newline) when it is line protocol in which every line
   * decoded and carried its own nanosecond timestamp, laid out plainly: it can then go to InfluxDB
   * byte for byte, without serialising again.
   */
  readonly verbatim: string | undefined;
}

/** The message as the ingest's check and the other in-process consumers decoded it (once). */
export function decodeForSink(
  topics: Topics,
  topic: string,
  payload: Buffer,
  receivedNs: bigint,
): SinkMessage {
  return decodeCanonical(topics, topic, payload, receivedNs);
}
