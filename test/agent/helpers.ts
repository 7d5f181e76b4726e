/** Shared by the agent tests: configs, a compute context, and numeric views of metrics. */
import type { z } from 'zod';
import { agentSchema, type AgentConfig } from '../../agents/host/config-schema.js';
import type { ComputeContext } from '../../agents/host/collector.js';
import { fieldNumber, type Metric } from '../../core/codecs/metric.js';

export type AgentInput = z.input<typeof agentSchema>;

export function agentConfig(input: AgentInput = {}): AgentConfig {
  return agentSchema.parse(input);
}

export const CONTEXT: ComputeContext = { host: 'h1', timestamp: 1_700_000_000_000_000_000n };

/** The numeric value of every field of `metric`. */
export function numbers(metric: Metric | undefined): Record<string, number> {
  if (metric === undefined) throw new Error('no metric');
  const out: Record<string, number> = {};
  for (const [key, field] of Object.entries(metric.fields)) {
    const value = fieldNumber(field);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/** The metric whose tag `key` is `value`. */
export function tagged(metrics: Metric[], key: string, value: string): Metric | undefined {
  return metrics.find((metric) => metric.tags[key] === value);
}
