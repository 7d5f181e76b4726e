import type { IngestConfig } from './config.js';
import { aborted } from '../core/util/abortable.js';
import type { BusMessage, BusSubscription } from '../core/bus/bus.js';
import type { Component, ComponentContext } from '../core/runtime/component.js';
import { errorMessage } from '../core/runtime/errors.js';
import { encodeMetrics } from '../core/codecs/decoded-payload.js';
import type { Metric } from '../core/codecs/metric.js';
import { receivedAt } from '../core/bus/receive-time.js';
import { decodeCanonical } from './canonical.js';
import { createDeadletter } from './deadletter.js';
import { compileRule, type CompiledRule } from './rule.js';
import { IngestStats } from './stats.js';

/**
 * The ingest component: device topics matched by ingest rules are converted to metrics and
 * republished as line protocol on `<base>/metrics/<source>/<measurement>`; every message on the
 * metric topics is checked, and what does not parse is counted and dead-lettered. Sinks and rules
 * therefore read one well-formed stream, whatever devices send.
 */
export const ingestComponent: Component<IngestConfig> = {
  kind: 'ingest',
  async run(context) {
    const ingest = createIngest(context);
    const subscriptions: BusSubscription[] = [];
    const ruleSubscriptions: BusSubscription[] = [];
    const stats = context.publishStats(() => ingest.stats, { everyMs: context.config.statsInterval });
    // A rule's handler awaits its republish, which the stores have taken once it resolves: so a rule
    // subscription that has settled has handed every message it took on to them.
    const leaveDurability = context.durability?.register('transform', {
      name: context.id,
      flush: async () => {
        await Promise.all(ruleSubscriptions.map((subscription) => subscription.settled()));
      },
    });
    try {
      subscriptions.push(await context.bus.subscribe(context.topics.allMetrics, ingest.onMetricMessage));
      for (const [filter, handler] of ingest.ruleHandlers) {
        const subscription = await context.bus.subscribe(filter, handler, { qos: 1 });
        subscriptions.push(subscription);
        ruleSubscriptions.push(subscription);
      }
      context.ready();
      context.log.info({ rules: context.config.rules.length }, 'ingest ready');
      await aborted(context.signal);
    } finally {
      leaveDurability?.();
      await Promise.allSettled(subscriptions.map((subscription) => subscription.unsubscribe()));
      await stats.publish();
    }
  },
};

export interface Ingest {
  readonly stats: IngestStats;
  /** One handler per distinct rule filter. */
  readonly ruleHandlers: ReadonlyMap<string, (message: BusMessage) => Promise<void> | undefined>;
  onMetricMessage(message: BusMessage): void;
}

export function createIngest(context: ComponentContext<IngestConfig>): Ingest {
  const { bus, topics, log, config } = context;
  const stats = new IngestStats();
  const deadletter = createDeadletter({ bus, topics, log, stats, perSecond: config.deadletterPerSecond });
  const rules: CompiledRule[] = config.rules.map((rule, index) => compileRule(rule, index));

  function onMetricMessage(message: BusMessage): void {
    stats.metricMessages++;
    const decoded = decodeCanonical(topics, message.topic, message.payload, receivedAt(message));
    stats.metricsAccepted += decoded.metrics.length;
    for (const rejection of decoded.rejections) deadletter(message.topic, message.payload, rejection);
  }

  // Overlapping filters deliver a message once per matching subscription; only the first rule (in
  // config order) that matches the topic handles it, and only through its own filter's delivery.
  // The topic is matched once: the first rule's captures go on to its decode.
  const ruleHandlers = new Map<string, (message: BusMessage) => Promise<void> | undefined>();
  for (const rule of rules) {
    if (ruleHandlers.has(rule.filter)) continue;
    const filter = rule.filter;
    // Not async: the handler returns the republish's own promise, one layer fewer per message.
    ruleHandlers.set(filter, (message) => {
      let rule: CompiledRule | undefined;
      let captures: Record<string, string> | undefined;
      for (const candidate of rules) {
        captures = candidate.match(message.topic);
        if (captures !== undefined) {
          rule = candidate;
          break;
        }
      }
      if (!rule || rule.filter !== filter) return undefined;
      stats.ruleMessages++;
      const decoded = rule.decode(message.topic, message.payload, receivedAt(message), captures);
      if (decoded!.timestampFallback) stats.timestampFallbacks++;
      for (const rejection of decoded!.rejections) deadletter(message.topic, message.payload, rejection);
      return republish(decoded!.source, decoded!.metrics, message.qos === 0 ? 0 : 1);
    });
  }

  function republish(source: string, metrics: Metric[], qos: 0 | 1): Promise<void> | undefined {
    if (metrics.length === 0) return undefined;
    const measurement = (metrics[0] as Metric).measurement;
    for (const metric of metrics)
      if (metric.measurement !== measurement) return republishEach(source, metrics, qos);
    // The common case, one measurement per message: no map, promise or closure more than the publish.
    return republishOne(source, measurement, metrics, qos);
  }

  async function republishOne(
    source: string,
    measurement: string,
    group: Metric[],
    qos: 0 | 1,
  ): Promise<void> {
    try {
      await bus.publish(topics.metrics(source, measurement), encodeMetrics(group), { qos });
    } catch (error) {
      republishFailed(source, measurement, error);
    }
  }

  async function republishEach(source: string, metrics: Metric[], qos: 0 | 1): Promise<void> {
    const byMeasurement = new Map<string, Metric[]>();
    for (const metric of metrics) {
      const list = byMeasurement.get(metric.measurement);
      if (list) list.push(metric);
      else byMeasurement.set(metric.measurement, [metric]);
    }
    // Every publish starts before the first await, inside the handler's synchronous part, where the bus
    // recognises it as this handler's (core/bus/bus-queue.ts beginPublish); Aedes takes them in this order.
    const publishes = [...byMeasurement].map(([measurement, group]) =>
      bus
        .publish(topics.metrics(source, measurement), encodeMetrics(group), { qos })
        // Caught at once: a later publish failing first must not be an unhandled rejection.
        .catch((error: unknown) => republishFailed(source, measurement, error)),
    );
    await Promise.all(publishes);
  }

  function republishFailed(source: string, measurement: string, error: unknown): void {
    stats.republishFailed++;
    log.error({ source, measurement, reason: errorMessage(error) }, 'could not republish converted metrics');
  }

  return {
    stats,
    ruleHandlers,
    onMetricMessage,
  };
}
