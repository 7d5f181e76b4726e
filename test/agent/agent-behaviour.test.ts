/**
 * The agent's own logic on the real in-process bus, with collectors replaced: a probe that never
 * returns, the inventory republished only on change, `online` and `offline` on the status topic.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHostAgent } from '../../agents/host/agent.js';
import type { Collector } from '../../agents/host/collector.js';
import type { PlannedCollector } from '../../agents/host/collectors/index.js';
import { busLink } from '../../agents/host/link.js';
import type { HostFacts } from '../../agents/host/readings.js';
import type { BusMessage } from '../../core/bus/bus.js';
import { parseLineProtocol } from '../../core/codecs/line-protocol.js';
import type { Metric } from '../../core/codecs/metric.js';
import { startTestBusbar, type TestBusbar } from '../helpers/busbar.js';
import { captureLog } from '../helpers/log-capture.js';
import { waitFor } from '../helpers/mqtt-clients.js';
import { agentConfig, numbers } from './helpers.js';

const FACTS: HostFacts = { clockTicks: 100, pageSize: 4096, memTotal: 1e9, bootId: 'test' };

let busbar: TestBusbar;
beforeAll(async () => {
  busbar = await startTestBusbar({ agent: { enabled: false } });
});
afterAll(async () => {
  await busbar.stop();
});

/** Every message under `busbar/+/<source>/...`, recorded through the real bus. */
async function record(source: string): Promise<BusMessage[]> {
  const messages: BusMessage[] = [];
  const { bus } = busbar.running;
  for (const filter of [
    `busbar/metrics/${source}/#`,
    `busbar/status/${source}`,
    `busbar/inventory/${source}`,
  ]) {
    await bus.subscribe(filter, (message) => void messages.push(message));
  }
  return messages;
}

function metricsOf(messages: BusMessage[], measurement: string): Metric[] {
  return messages
    .filter((message) => message.topic.endsWith(`/${measurement}`))
    .flatMap((message) => {
      const { metrics, errors } = parseLineProtocol(message.payload.toString());
      expect(errors).toEqual([]);
      return metrics;
    });
}

const plan = (collector: Collector): PlannedCollector => ({ collector, intervalMs: 200, timeoutMs: 100 });

function counting(name: string): Collector<number, undefined> & { reads: number } {
  const collector = {
    reads: 0,
    name,
    measurements: [name],
    read: async () => ++collector.reads,
    compute: (reading: number, _previous: undefined, context: { host: string; timestamp: bigint }) => ({
      metrics: [
        {
          measurement: name,
          tags: { host: context.host },
          fields: { n: { type: 'integer', value: BigInt(reading) } },
          timestamp: context.timestamp,
        } as Metric,
      ],
      state: undefined,
    }),
  };
  return collector;
}

describe('host agent: probes that never return', () => {
  it('counts the timeout, starts no second read of that probe, and still publishes the others', async () => {
    const source = 'timeouts';
    const messages = await record(source);
    let hungReads = 0;
    const hung: Collector = {
      name: 'hung',
      measurements: ['hung'],
      read: () => {
        hungReads += 1;
        return new Promise(() => undefined);
      },
      compute: () => ({ metrics: [], state: undefined }),
    };
    const ok = counting('ok');
    const log = captureLog('debug');
    const controller = new AbortController();
    const running = runHostAgent(
      {
        config: agentConfig({ interval: '200ms', timeout: '100ms' }),
        source,
        topics: busbar.running.topics,
        link: busLink(busbar.running.bus),
        log: log.logger,
        collectors: [plan(hung), plan(ok)],
        inventory: async () => ({ fixed: true }),
        facts: FACTS,
      },
      controller.signal,
    );
    await waitFor(
      () => metricsOf(messages, 'ok').length >= 4,
      'four samples of the healthy collector',
      10_000,
    );
    await waitFor(
      () => metricsOf(messages, 'agent').some((metric) => numbers(metric).probe_timeouts! >= 3),
      'three timeouts counted',
      10_000,
    );
    controller.abort();
    await running;

    expect(hungReads).toBe(1);
    const hungStats = metricsOf(messages, 'agent_collector').filter(
      (metric) => metric.tags.collector === 'hung',
    );
    expect(numbers(hungStats.at(-1)).timeouts).toBeGreaterThanOrEqual(3);
    // Samples are on the 200 ms grid, one per tick.
    const stamps = metricsOf(messages, 'ok').map((metric) => metric.timestamp!);
    expect(stamps.every((ns) => ns % 200_000_000n === 0n)).toBe(true);
    expect(new Set(stamps).size).toBe(stamps.length);
    // One warning for the timeout, then held back: no log line per tick.
    expect(log.find('timed out').length + log.find('still not returned').length).toBeLessThanOrEqual(2);
    const statuses = messages
      .filter((m) => m.topic === `busbar/status/${source}`)
      .map((m) => m.payload.toString());
    expect(statuses).toEqual(['online', 'offline']);
  });
});

describe('host agent: inventory', () => {
  it('is retained, and republished only when it changed', async () => {
    const source = 'inventory';
    const messages = await record(source);
    let reads = 0;
    const controller = new AbortController();
    const running = runHostAgent(
      {
        config: agentConfig({ interval: '200ms', inventoryInterval: '100ms' }),
        source,
        topics: busbar.running.topics,
        link: busLink(busbar.running.bus),
        log: captureLog('warn').logger,
        collectors: [plan(counting('ok'))],
        inventory: async () => {
          reads += 1;
          return { memory: { total: reads < 4 ? 1024 : 2048 } };
        },
        facts: FACTS,
      },
      controller.signal,
    );
    await waitFor(() => reads >= 7, 'seven inventory readings', 10_000);
    controller.abort();
    await running;
    const inventories = messages.filter((m) => m.topic === `busbar/inventory/${source}`);
    expect(inventories.map((m) => JSON.parse(m.payload.toString()))).toEqual([
      { memory: { total: 1024 } },
      { memory: { total: 2048 } },
    ]);
    // Retained: a subscriber arriving now still gets the latest.
    const late: BusMessage[] = [];
    const subscription = await busbar.running.bus.subscribe(
      `busbar/inventory/${source}`,
      (m) => void late.push(m),
    );
    await waitFor(() => late.length === 1, 'the retained inventory');
    expect(late[0]).toMatchObject({ retain: true });
    expect(JSON.parse(late[0]!.payload.toString())).toEqual({ memory: { total: 2048 } });
    await subscription.unsubscribe();
  });
});
