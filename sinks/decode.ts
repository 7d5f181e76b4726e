/**
 * How a sink reads a message on `<base>/metrics/<source>/<measurement>`. The ingest component has
 * already counted and dead-lettered whatever does not decode, so sinks skip it silently.
 */
import { decodeCanonical, type CanonicalMessage } from '../ingest/canonical.js';
import type { Topics } from '../core/topics.js';

/** What a sink takes of a message: its source, its metrics (each with a time) and its verbatim text. */
export type SinkMessage = Pick<CanonicalMessage, 'source' | 'metrics' | 'verbatim'>;

/** The message as the ingest's check and the other in-process consumers decoded it (once). */
export function decodeForSink(
  topics: Topics,
  topic: string,
  payload: Buffer,
  receivedNs: bigint,
): SinkMessage {
  return decodeCanonical(topics, topic, payload, receivedNs);
}
