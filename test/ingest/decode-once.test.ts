/**
 * Every in-process consumer of a metric topic (the ingest's check, the history store, the InfluxDB
 * sink, the alarms, the web's live events) gets the same payload Buffer from the broker, and reads
 * the decode of whichever came first: one parse per message, the same metric objects, and the same
 * time for a line without one in every store.
 */
import { describe, expect, it } from 'vitest';
import { encodeMetrics } from '../../core/codecs/decoded-payload.js';
import { createTopics } from '../../core/topics.js';
import { decodeCanonical } from '../../ingest/canonical.js';
import { decodeForSink } from '../../sinks/decode.js';

const topics = createTopics();
const TOPIC = 'busbar/metrics/dc1-pdu3/power';
const FIRST = 1_700_000_000_000_000_000n;
const LATER = FIRST + 5_000_000n;

describe('a metric message decoded once', () => {
  it('gives every consumer the first decode: same metrics, same time for lines without one', () => {
    const payload = Buffer.from('power,outlet=1 watts=120\npower,outlet=2 watts=80 1700000000000000001\n');
    const check = decodeCanonical(topics, TOPIC, payload, FIRST);
    const sink = decodeForSink(topics, TOPIC, payload, LATER);
    const alarms = decodeCanonical(topics, TOPIC, payload, LATER);
    expect(check.metrics.map((metric) => metric.timestamp)).toEqual([FIRST, 1_700_000_000_000_000_001n]);
    expect(sink.metrics).toBe(check.metrics);
    expect(alarms).toBe(check);
    expect(sink.source).toBe('dc1-pdu3');
    // A line without its own time: not sent byte for byte (the sink writes the time it was given).
    expect(sink.verbatim).toBeUndefined();
  });

  it('parses a large payload for each consumer (memory), with the first time for lines without one', () => {
    const lines = Array.from({ length: 100 }, (_, i) => `power,outlet=${i} watts=${i}.5`);
    const payload = Buffer.from(lines.join('\n'));
    expect(payload.length).toBeGreaterThan(2048);
    const check = decodeCanonical(topics, TOPIC, payload, FIRST);
    const sink = decodeForSink(topics, TOPIC, payload, LATER);
    expect(sink.metrics).not.toBe(check.metrics);
    expect(sink.metrics).toEqual(check.metrics);
    expect(new Set(sink.metrics.map((metric) => metric.timestamp))).toEqual(new Set([FIRST]));
  });

  it('keeps the verbatim text and the rejections of the first decode', () => {
    const plain = Buffer.from('power,outlet=1 watts=120 1700000000000000000\n');
    expect(decodeForSink(topics, TOPIC, plain, FIRST).verbatim).toBe(
      'power,outlet=1 watts=120 1700000000000000000',
    );
    expect(decodeCanonical(topics, TOPIC, plain, LATER).rejections).toEqual([]);

    const broken = Buffer.from('power,outlet=1 watts=120 1\npower watts=\n');
    const first = decodeForSink(topics, TOPIC, broken, FIRST);
    expect(first.metrics).toHaveLength(1);
    expect(first.verbatim).toBeUndefined();
    const check = decodeCanonical(topics, TOPIC, broken, LATER);
    expect(check.rejections).toHaveLength(1);
    expect(check.rejections[0]).toMatchObject({ reason: 'line-protocol' });
  });

  it('decodes again for another topic, and a copy of the bytes on its own', () => {
    const payload = Buffer.from('21.5');
    const here = decodeCanonical(topics, TOPIC, payload, FIRST);
    const there = decodeCanonical(topics, 'busbar/metrics/room2/temp', payload, LATER);
    expect(there).not.toBe(here);
    expect(there.source).toBe('room2');
    expect(there.metrics[0]).toMatchObject({ measurement: 'temp', timestamp: LATER });
    const copy = decodeCanonical(topics, 'busbar/metrics/room2/temp', Buffer.from(payload), FIRST);
    expect(copy).not.toBe(there);
    expect(copy.metrics[0]?.timestamp).toBe(FIRST);
  });

  it('decodes JSON and an empty payload as the ingest does, whoever reads first', () => {
    const json = Buffer.from('  {"measurement": "power", "fields": {"watts": 120}}');
    const sink = decodeForSink(topics, TOPIC, json, FIRST);
    expect(sink.metrics).toHaveLength(1);
    expect(decodeCanonical(topics, TOPIC, json, LATER).metrics).toBe(sink.metrics);
    const empty = Buffer.from(' \n');
    expect(decodeForSink(topics, TOPIC, empty, FIRST).metrics).toEqual([]);
    expect(decodeCanonical(topics, TOPIC, empty, FIRST).rejections).toEqual([
      { reason: 'empty', detail: 'empty payload' },
    ]);
  });

  it("takes a payload this process wrote as it is, on every consumer's path", () => {
    const metrics = [
      {
        measurement: 'power',
        tags: { outlet: '1' },
        fields: { watts: { type: 'float' as const, value: 1 } },
        timestamp: FIRST,
      },
    ];
    const payload = encodeMetrics(metrics);
    const sink = decodeForSink(topics, TOPIC, payload, LATER);
    expect(sink.verbatim).toBe(`power,outlet=1 watts=1 ${FIRST}`);
    expect(decodeCanonical(topics, TOPIC, payload, LATER).metrics).toBe(sink.metrics);
  });

  it('refuses a topic outside the metric topics, for every consumer', () => {
    const payload = Buffer.from('power watts=1');
    expect(decodeForSink(topics, 'busbar/status/x', payload, FIRST).metrics).toEqual([]);
    expect(decodeCanonical(topics, 'busbar/status/x', payload, FIRST).rejections[0]).toMatchObject({
      reason: 'topic',
    });
  });
});
