/**
 * A payload written by `encodeMetrics` carries its metrics to in-process consumers, who then skip the
 * parse: what they get that way must be exactly what parsing the bytes gives (a copy of the Buffer
 * carries nothing, so it takes the parsing path).
 */
import { describe, expect, it } from 'vitest';
import { decodedPayload, encodeMetrics } from '../../core/codecs/decoded-payload.js';
import { decodeCanonical } from '../../ingest/canonical.js';
import { parseLineProtocol } from '../../core/codecs/line-protocol.js';
import { setEntry, type Metric } from '../../core/codecs/metric.js';
import { createTopics } from '../../core/topics.js';
import { decodeForSink } from '../../sinks/decode.js';

const topics = createTopics();
const TOPIC = 'busbar/metrics/bench/temp';
const RECEIVED = 1_700_000_000_000_000_000n;

function awkwardMetrics(): Metric[] {
  const protoTag: Record<string, string> = { zone: 'b' };
  setEntry(protoTag, '__proto__', 'x');
  return [
    {
      measurement: 'temp',
      tags: { site: 's 1', host: 'h,1', a: '=' },
      fields: { value: { type: 'float', value: -0 }, n: { type: 'integer', value: -5n } },
      timestamp: 1_700_000_000_123_456_789n,
    },
    {
      measurement: 'temp',
      tags: protoTag,
      fields: {
        s: { type: 'string', value: 'a "quoted" # \\ text\twith tab' },
        ok: { type: 'boolean', value: true },
      },
      timestamp: 1n,
    },
    {
      measurement: 'temp',
      tags: {},
      fields: { u: { type: 'unsigned', value: 18446744073709551615n } },
      timestamp: 0n,
    },
  ];
}

describe('encodeMetrics', () => {
  it('carries exactly the metrics that parsing its bytes gives, tags in written order', () => {
    const payload = encodeMetrics(awkwardMetrics());
    const carried = decodedPayload(payload);
    const parsed = parseLineProtocol(payload.toString('utf8'));
    expect(parsed.errors).toEqual([]);
    expect(carried?.text).toBe(payload.toString('utf8'));
    expect(carried?.metrics).toEqual(parsed.metrics);
    for (const [i, metric] of (carried?.metrics ?? []).entries())
      expect(Object.keys(metric.tags)).toEqual(Object.keys(parsed.metrics[i]!.tags));
  });

  it('carries nothing when a metric has no timestamp (the receiver assigns one)', () => {
    const payload = encodeMetrics([
      { measurement: 'm', tags: {}, fields: { v: { type: 'float', value: 1 } } },
    ]);
    expect(decodedPayload(payload)).toBeUndefined();
    expect(decodedPayload(Buffer.from(encodeMetrics(awkwardMetrics())))).toBeUndefined();
  });

  it('gives the ingest decoder and the sinks what the bytes give them', () => {
    const payload = encodeMetrics(awkwardMetrics());
    const copy = Buffer.from(payload);
    const carried = decodeCanonical(topics, TOPIC, payload, RECEIVED);
    const parsed = decodeCanonical(topics, TOPIC, copy, RECEIVED);
    expect([carried.source, carried.metrics, carried.rejections]).toEqual([
      parsed.source,
      parsed.metrics,
      parsed.rejections,
    ]);
    const fast = decodeForSink(topics, TOPIC, payload, RECEIVED);
    const slow = decodeForSink(topics, TOPIC, copy, RECEIVED);
    expect(fast.source).toBe(slow.source);
    expect(fast.metrics).toEqual(slow.metrics);
    // The slow path keeps `#` and tabs for its own serialiser; the carried text is that serialiser's output.
    expect(fast.verbatim).toBe(payload.toString('utf8'));
    expect(decodeForSink(topics, 'busbar/other', payload, RECEIVED).metrics).toEqual([]);
  });
});
