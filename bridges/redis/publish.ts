/**
 * Metrics as line protocol on `<base>/metrics/<source>/<measurement>`, in messages of at most
 * `linesPerMessage` lines: a selection of thousands of keys must not become one message larger than
 * a remote broker's packet limit.
 */
import type { Bus } from '../../core/bus/bus.js';
import { serializeLineProtocol } from '../../core/codecs/line-protocol.js';
import type { Metric } from '../../core/codecs/metric.js';
import type { Topics } from '../../core/topics.js';

export interface SourcedMetric {
  readonly source: string;
  readonly metric: Metric;
}

/** Publishes every metric; returns how many were published (a failed message counts as none). */
export async function publishMetrics(
  bus: Bus,
  topics: Topics,
  metrics: readonly SourcedMetric[],
  linesPerMessage: number,
  onError: (error: unknown) => void,
): Promise<number> {
  const groups = new Map<string, Metric[]>();
  for (const { source, metric } of metrics) {
    const topic = topics.metrics(source, metric.measurement);
    const group = groups.get(topic);
    if (group) group.push(metric);
    else groups.set(topic, [metric]);
  }
  let published = 0;
  for (const [topic, group] of groups) {
    for (let i = 0; i < group.length; i += linesPerMessage) {
      const chunk = group.slice(i, i + linesPerMessage);
      try {
        await bus.publish(topic, serializeLineProtocol(chunk));
        published += chunk.length;
      } catch (error) {
        onError(error);
      }
    }
  }
  return published;
}
