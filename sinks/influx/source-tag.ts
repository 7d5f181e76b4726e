/**
 * InfluxDB keeps no MQTT topic: the source a point came from (`<base>/metrics/<source>/...`) would be
 * lost unless it is a tag. The sink adds `<sourceTag>=<source>` to every line that lacks the tag,
 * so a busbar reading history back from InfluxDB (history/) finds each series under the source the
 * embedded store files it under. A line that carries the tag already keeps its own value.
 */
import { escapeTagText } from '../../core/codecs/line-protocol.js';
import type { Metric } from '../../core/codecs/metric.js';

/** Where the measurement of a line protocol line ends: its first unescaped `,` or space. */
function measurementEnd(line: string): number {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 0x5c) i++;
    else if (c === 0x2c || c === 0x20) return i;
  }
  return line.length;
}

/**
 * `verbatim` (plain lines, one per metric: sinks/decode.ts) with the tag put right after each
 * measurement, or undefined when some line has the tag already (then the metrics are written anew).
 * InfluxDB accepts tags in any order; sorted ones only save it a sort.
 */
export function tagVerbatim(
  verbatim: string,
  metrics: readonly Metric[],
  tag: string,
  source: string,
): string | undefined {
  for (const metric of metrics) if (metric.tags[tag] !== undefined) return undefined;
  const pair = `,${escapeTagText(tag)}=${escapeTagText(source)}`;
  let out = '';
  let start = 0;
  while (start <= verbatim.length) {
    const newline = verbatim.indexOf('\n', start);
    const end = newline === -1 ? verbatim.length : newline;
    const line = verbatim.slice(start, end);
    const at = measurementEnd(line);
    out += (start === 0 ? '' : '\n') + line.slice(0, at) + pair + line.slice(at);
    if (newline === -1) break;
    start = newline + 1;
  }
  return out;
}

/** The metrics with the tag added where it is missing; copies: the metrics may be shared. */
export function tagMetrics(metrics: readonly Metric[], tag: string, source: string): Metric[] {
  return metrics.map((metric) =>
    metric.tags[tag] !== undefined ? metric : { ...metric, tags: { ...metric.tags, [tag]: source } },
  );
}
