/**
 * The agent's own health as metrics, like Telegraf's internal input: `agent` (buffer and delivery)
 * and `agent_collector` per collector (runs, timeouts, errors, duration). Published every
 * `agent.interval` and buffered like any sample, so an outage shows in the data that follows it.
 */
import type { Collector } from './collector.js';
import { Fields, point } from './fields.js';
import type { CollectorCounters } from './runner.js';

export interface AgentStatsReading {
  buffered: number;
  bufferCapacity: number;
  bufferDropped: number;
  published: number;
  collectors: { name: string; counters: CollectorCounters }[];
}

export function agentStatsCollector(read: () => AgentStatsReading): Collector<AgentStatsReading, undefined> {
  return {
    name: 'agent',
    measurements: ['agent', 'agent_collector'],
    read: async () => read(),
    compute(reading, _previous, context) {
      const agent = new Fields()
        .int('buffered', reading.buffered)
        .int('buffer_capacity', reading.bufferCapacity)
        .int('buffer_dropped', reading.bufferDropped)
        .int('published', reading.published)
        .int(
          'probe_timeouts',
          reading.collectors.reduce((sum, c) => sum + c.counters.timeouts, 0),
        )
        .int(
          'probe_errors',
          reading.collectors.reduce((sum, c) => sum + c.counters.errors, 0),
        );
      const metrics = point('agent', { host: context.host }, agent, context.timestamp);
      for (const { name, counters } of reading.collectors) {
        const fields = new Fields()
          .int('runs', counters.runs)
          .int('timeouts', counters.timeouts)
          .int('errors', counters.errors)
          .int('invalid_points', counters.invalid)
          .float('duration_ms', counters.lastDurationMs);
        metrics.push(
          ...point('agent_collector', { host: context.host, collector: name }, fields, context.timestamp),
        );
      }
      return { metrics, state: undefined };
    },
  };
}
