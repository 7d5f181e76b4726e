/**
 * The standalone agent's connection (the same link `busbar agent` uses) across a broker outage: a real
 * Mosquitto stopped and started again on the same port. Samples taken meanwhile wait in the agent's
 * bounded buffer and arrive afterwards with their original timestamps; beyond the buffer, the oldest
 * are dropped and counted.
 */
import { chmod } from 'node:fs/promises';
import path from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { runHostAgent } from '../../agents/host/agent.js';
import type { Collector } from '../../agents/host/collector.js';
import { plannedCollectors, type PlannedCollector } from '../../agents/host/collectors/index.js';
import { readHostFacts } from '../../agents/host/host-facts.js';
import { createMqttLink, type MqttLink } from '../../agents/host/link-mqtt.js';
import { remoteBusSchema } from '../../config/schema.js';
import { parseLineProtocol, serializeMetric } from '../../core/codecs/line-protocol.js';
import { createTopics } from '../../core/topics.js';
import { captureLog } from '../helpers/log-capture.js';
import { startMosquitto, type MosquittoServer } from '../helpers/mosquitto.js';
import { delay, waitFor } from '../helpers/mqtt-clients.js';
import { freePort } from '../helpers/ports.js';
import { tempDir } from '../helpers/process.js';
import { agentConfig, numbers, type AgentInput } from './helpers.js';

interface Taken {
  line: string;
  measurement: string;
  timestampMs: number;
}

/**
 * Wraps collectors so the test knows every line the agent published, as it produced it. The first
 * compute of each collector primes it at start and is never published.
 */
function recorded(planned: PlannedCollector[], taken: Taken[]): PlannedCollector[] {
  return planned.map((plan) => {
    let primed = false;
    const collector: Collector = {
      ...plan.collector,
      read: (previous) => plan.collector.read(previous),
      compute(reading, previous, context) {
        const computed = plan.collector.compute(reading, previous, context);
        if (!primed) {
          primed = true;
          return computed;
        }
        for (const metric of computed.metrics) {
          taken.push({
            line: serializeMetric(metric),
            measurement: metric.measurement,
            timestampMs: Number(metric.timestamp! / 1_000_000n),
          });
        }
        return computed;
      },
    };
    return { ...plan, collector };
  });
}

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** A Mosquitto that keeps sessions across restarts, so the watcher misses nothing while it is down. */
async function persistentMosquitto(): Promise<{ port: number; start(): Promise<MosquittoServer> }> {
  const dir = await tempDir('agent-mosquitto-db');
  await chmod(dir.path, 0o777); // Mosquitto drops root for its own user
  cleanup.push(() => dir.remove());
  const port = await freePort();
  const extraConfig = `persistence true\npersistence_location ${dir.path}${path.sep}`;
  return { port, start: () => startMosquitto({ port, extraConfig }) };
}

/** A subscriber with a persistent session: what is published while it reconnects waits for it. */
async function watch(url: string, source: string): Promise<{ client: MqttClient; lines: Set<string> }> {
  const client = await mqtt.connectAsync(url, {
    clientId: `watcher-${source}`,
    clean: false,
    reconnectPeriod: 100,
  });
  cleanup.push(() => client.endAsync(true));
  const lines = new Set<string>();
  client.on('message', (_topic, payload) => {
    const { metrics, errors } = parseLineProtocol(payload.toString());
    expect(errors).toEqual([]);
    for (const metric of metrics) lines.add(serializeMetric(metric));
  });
  await client.subscribeAsync(`busbar/metrics/${source}/#`, { qos: 1 });
  return { client, lines };
}

async function startAgent(url: string, source: string, input: AgentInput, taken: Taken[]) {
  const log = captureLog('info');
  const topics = createTopics('busbar');
  const link: MqttLink = await createMqttLink({
    config: remoteBusSchema.parse({ url }),
    log: log.logger,
    clientId: `busbar-agent-${source}`,
    will: { topic: topics.status(source), payload: 'offline' },
    reconnect: { initialMs: 100, maxMs: 200 },
  });
  const config = agentConfig({
    interval: '200ms',
    disk: { enabled: false },
    diskio: { enabled: false },
    net: { enabled: false },
    temp: { enabled: false },
    processes: { enabled: false },
    ...input,
  });
  const facts = await readHostFacts(log.logger);
  const controller = new AbortController();
  const collectors = recorded(plannedCollectors(config, facts), taken);

  const running = runHostAgent(
    { config, source, topics, link, log: log.logger, collectors, facts },
    controller.signal,
  );
  const stop = async (): Promise<void> => {
    controller.abort();
    await running;
    await link.close();
  };
  cleanup.push(stop);
  return { link, log, stop };
}

describe('host agent across a broker restart', () => {
  it('buffers the samples taken while the broker is down and delivers each with its original timestamp', async () => {
    const source = 'reconnect';
    const broker = await persistentMosquitto();
    let mosquitto = await broker.start();
    cleanup.push(() => mosquitto.stop());
    const watcher = await watch(mosquitto.url, source);
    const taken: Taken[] = [];
    const agent = await startAgent(mosquitto.url, source, {}, taken);
    await waitFor(() => watcher.lines.size > 0, 'the first samples');

    await mosquitto.stop();
    const down = Date.now();
    await waitFor(() => !agent.link.connected, 'the agent to notice the outage');
    const systemSince = (ms: number): number =>
      taken.filter((sample) => sample.measurement === 'system' && sample.timestampMs > ms).length;
    // Samples are taken every 200 ms; a loaded machine takes them later, so wait for them, not a time.
    await waitFor(() => systemSince(down) >= 3, 'three samples taken during the outage', 10_000);
    mosquitto = await broker.start();
    const up = Date.now();
    await waitFor(() => agent.link.connected, 'the agent to reconnect', 10_000);
    await delay(400);
    await agent.stop();

    const outage = taken.filter((sample) => sample.timestampMs > down && sample.timestampMs < up);
    expect(outage.filter((sample) => sample.measurement === 'system').length).toBeGreaterThanOrEqual(3);
    await waitFor(
      () => taken.every((sample) => watcher.lines.has(sample.line)),
      'every sample taken, as taken',
      10_000,
    );
    expect(agent.log.find('buffering samples').length).toBe(1);
    expect(agent.log.find('buffered samples delivered').length).toBe(1);
    // The agent's own statistics, sampled during the outage, saw the backlog and no drops.
    const stats = [...watcher.lines].filter((line) => line.startsWith('agent,'));
    const parsed = stats.map((line) => numbers(parseLineProtocol(line).metrics[0]));
    expect(Math.max(...parsed.map((fields) => fields.buffered!))).toBeGreaterThan(0);
    expect(Math.max(...parsed.map((fields) => fields.buffer_dropped!))).toBe(0);
  });

  it('drops the oldest samples when the outage outlasts the buffer, and counts them', async () => {
    const source = 'overflow';
    const broker = await persistentMosquitto();
    let mosquitto = await broker.start();
    cleanup.push(() => mosquitto.stop());
    const watcher = await watch(mosquitto.url, source);
    const taken: Taken[] = [];
    // 600 ms of samples: three ticks of every collector.
    const agent = await startAgent(mosquitto.url, source, { buffer: '600ms' }, taken);
    await waitFor(() => watcher.lines.size > 0, 'the first samples');

    await mosquitto.stop();
    const down = Date.now();
    await waitFor(() => !agent.link.connected, 'the agent to notice the outage');
    // Six samples (1.2 s of them) outlast the 600 ms buffer, however slowly they are taken.
    const systemSince = (ms: number): number =>
      taken.filter((sample) => sample.measurement === 'system' && sample.timestampMs > ms).length;
    await waitFor(() => systemSince(down) >= 6, 'six samples taken during the outage', 10_000);
    mosquitto = await broker.start();
    const up = Date.now();
    await waitFor(() => agent.link.connected, 'the agent to reconnect', 10_000);
    await delay(600);
    await agent.stop();

    const outage = taken
      .filter(
        (sample) => sample.measurement === 'system' && sample.timestampMs > down && sample.timestampMs < up,
      )
      .sort((a, b) => a.timestampMs - b.timestampMs);
    expect(outage.length).toBeGreaterThanOrEqual(6);
    await waitFor(() => watcher.lines.has(outage.at(-1)!.line), 'the newest sample of the outage', 10_000);
    const delivered = outage.map((sample) => watcher.lines.has(sample.line));
    // What arrived of the outage is its newest part; the oldest samples were dropped.
    expect(delivered[0]).toBe(false);
    expect(delivered.at(-1)).toBe(true);
    expect(delivered.indexOf(true)).toBeGreaterThan(0);
    expect(delivered.slice(delivered.indexOf(true)).every(Boolean)).toBe(true);
    const dropped = (): number[] =>
      [...watcher.lines]
        .filter((line) => line.startsWith('agent,'))
        .map((line) => numbers(parseLineProtocol(line).metrics[0]).buffer_dropped!);
    await waitFor(() => Math.max(...dropped()) > 0, 'statistics that counted the drops');
    expect(Math.max(...dropped())).toBeGreaterThan(0);
  });
});
