/**
 * A rejected batch as separate points, to bisect it. The body cannot simply be split on `\n`: a
 * string field may hold a newline. Every line in an outbox passed busbar's parser on the way in, so
 * parsing it again only finds its point boundaries; anything that no longer parses is reported.
 */
import { parseLineProtocol, serializeMetric } from '../../core/codecs/line-protocol.js';
import type { Precision } from '../../core/codecs/metric.js';

export function splitPoints(body: string, precision: Precision): { points: string[]; unparsable: string[] } {
  const { metrics, errors } = parseLineProtocol(body, { precision });
  return {
    points: metrics.map((metric) => serializeMetric(metric, { precision })),
    unparsable: errors.map((error) => error.text),
  };
}

/**
 * True when an InfluxDB 1.x partial-write answer says every point of the request was dropped
 * (`... dropped=N` with N the number sent), so no further bisecting can save any of them.
 */
export function droppedAll(reason: string, sent: number): boolean {
  const match = /dropped=(\d+)/.exec(reason);
  return match !== null && Number(match[1]) >= sent;
}
