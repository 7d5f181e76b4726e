import { decodedPayload } from '../core/codecs/decoded-payload.js';
import { parseLineProtocol, type LineError } from '../core/codecs/line-protocol.js';
import { parseJsonMetrics } from '../core/codecs/payload-json.js';
import { parseValuePayload } from '../core/codecs/payload-value.js';
import { parseMetricTopic, type Topics } from '../core/topics.js';
import type { Decoded, Rejection } from './decoded.js';

const PLAIN_NUMBER_RE = /^\s*-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;

export function lineRejection(error: LineError): Rejection {
  return { reason: 'line-protocol', detail: `line ${error.line}: ${error.message}` };
}

/**
 * Decodes a message on `<base>/metrics/<source>/<measurement>`: line protocol (the native form),
 * JSON (first character `{` or `[`), or a bare number, which becomes field `value` of the topic's
 * measurement so the simplest device can publish `21.5` straight onto the metric topic.
 */
export function decodeCanonical(topics: Topics, topic: string, payload: Buffer, receivedNs: bigint): Decoded {
  const place = parseMetricTopic(topics, topic);
  if (!place) {
    return {
      source: '_',
      metrics: [],
      rejections: [{ reason: 'topic', detail: `expected ${topics.base}/metrics/<source>/<measurement>` }],
    };
  }
  // Written by a component of this process: nothing to parse, nothing to reject.
  const known = decodedPayload(payload);
  if (known !== undefined) return { source: place.source, metrics: known.metrics, rejections: [] };
  const text = payload.toString('utf8');
  const first = text.trimStart()[0];
  if (first === undefined) {
    return { source: place.source, metrics: [], rejections: [{ reason: 'empty', detail: 'empty payload' }] };
  }
  if (first === '{' || first === '[') {
    const { metrics, errors } = parseJsonMetrics(text, { defaultTimestamp: receivedNs });
    return {
      source: place.source,
      metrics,
      rejections: errors.map((error) => ({ reason: error.reason, detail: error.message })),
    };
  }
  if (PLAIN_NUMBER_RE.test(text)) {
    const metric = {
      measurement: place.measurement,
      tags: {},
      fields: { value: parseValuePayload(text, 'float') },
      timestamp: receivedNs,
    };
    return { source: place.source, metrics: [metric], rejections: [] };
  }
  const { metrics, errors } = parseLineProtocol(text, { defaultTimestamp: receivedNs });
  return { source: place.source, metrics, rejections: errors.map(lineRejection) };
}
