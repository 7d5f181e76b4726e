/** The source tag the InfluxDB sinks add to every line that lacks it (sinks/influx/source-tag.ts). */
import { describe, expect, it } from 'vitest';
import { parseLineProtocol } from '../../core/codecs/line-protocol.js';
import { tagMetrics, tagVerbatim } from '../../sinks/influx/source-tag.js';

const metricsOf = (text: string) => parseLineProtocol(text).metrics;

describe('the source tag', () => {
  it('goes right after each measurement of plain lines, escaped, and reads back as a tag', () => {
    const text = 'cpu,host=a usage=1 1\nmy\\ m\\,x v=2 2\nmem used=3i 3';
    const tagged = tagVerbatim(text, metricsOf(text), 'source', 'rack 1,a=b');
    expect(tagged).toBe(
      'cpu,source=rack\\ 1\\,a\\=b,host=a usage=1 1\n' +
        'my\\ m\\,x,source=rack\\ 1\\,a\\=b v=2 2\n' +
        'mem,source=rack\\ 1\\,a\\=b used=3i 3',
    );
    const read = parseLineProtocol(tagged!);
    expect(read.errors).toEqual([]);
    expect(read.metrics.map((metric) => [metric.measurement, metric.tags])).toEqual([
      ['cpu', { host: 'a', source: 'rack 1,a=b' }],
      ['my m,x', { source: 'rack 1,a=b' }],
      ['mem', { source: 'rack 1,a=b' }],
    ]);
  });

  it('is not added to a line that has its own: plain text is then left to the serialiser', () => {
    const text = 'cpu,source=other usage=1 1\ncpu usage=2 2';
    const metrics = metricsOf(text);
    expect(tagVerbatim(text, metrics, 'source', 'web1')).toBeUndefined();
    const tagged = tagMetrics(metrics, 'source', 'web1');
    expect(tagged.map((metric) => metric.tags.source)).toEqual(['other', 'web1']);
    // The metrics may be shared with other consumers (core/codecs/decoded-payload.ts): never changed.
    expect(metrics[1]!.tags).toEqual({});
  });
});
