/**
 * A PUBACK means durable: busbar is killed with SIGKILL while devices stream QoS 1 points (on a
 * metrics topic, and on a device topic an ingest rule maps), once with the database up and once with
 * it down. Every point busbar acknowledged is in VictoriaMetrics and in the history store after the
 * restart, compared by content (each point carries its sequence number).
 */
import Database from 'better-sqlite3';
import mqtt, { type MqttClient } from 'mqtt';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnCli, waitForOutput } from '../helpers/cli.js';
import { waitFor } from '../helpers/mqtt-clients.js';
import { freePort } from '../helpers/ports.js';
import { tempDir } from '../helpers/process.js';
import { startVictoriaMetrics, type VictoriaMetricsServer } from '../helpers/victoria-metrics.js';

let vm: VictoriaMetricsServer;
let dir: Awaited<ReturnType<typeof tempDir>>;

beforeAll(async () => {
  [vm, dir] = await Promise.all([startVictoriaMetrics(), tempDir('fault-killed')]);
});

afterAll(async () => {
  await vm?.stop();
  await dir?.remove();
});

/** A config file for a busbar whose data all live in `data`, writing to VictoriaMetrics. */
async function writeConfig(data: string, mqttPort: number, run: string): Promise<string> {
  const file = path.join(data, 'busbar.yaml');
  const config = {
    log: { format: 'json', level: 'info' },
    web: { enabled: false },
    agent: { enabled: false },
    alarms: { statePath: path.join(data, 'alarms.json') },
    notifiers: { recordPath: path.join(data, 'notifications.db') },
    broker: {
      listeners: [{ type: 'tcp', host: '127.0.0.1', port: mqttPort }],
      journal: { path: path.join(data, 'journal') },
    },
    ingest: {
      rules: [{ topic: 'dev/+source/reading', source: '{source}', measurement: `${run}dev`, format: 'json' }],
    },
    sinks: {
      history: { path: path.join(data, 'history.db'), flushInterval: '200ms' },
      influxdb: {
        url: vm.url,
        bucket: 'metrics',
        outboxPath: path.join(data, 'outbox.db'),
        batchSize: 500,
        flushInterval: '200ms',
        retryDelay: '100ms',
        maxRetryDelay: '500ms',
        timeout: '2s',
      },
    },
  };
  await writeFile(file, JSON.stringify(config));
  return file;
}

interface Stream {
  /** Sequence numbers busbar acknowledged (PUBACK received). */
  readonly acked: Set<number>;
  stop(): void;
}

/**
 * Publishes QoS 1 points without pause, a window of them in flight: even numbers as line protocol on
 * a metrics topic (measurement `<run>`, with their own timestamp), odd ones as JSON on a device topic
 * (measurement `<run>dev`, without a timestamp: stamped on arrival, and a replay keeps that time).
 */
function stream(client: MqttClient, run: string, from: number): Stream {
  const acked = new Set<number>();
  let next = from;
  let stopped = false;
  const startMs = Date.now() - 600_000;
  const one = (): void => {
    if (stopped || !client.connected) return;
    const seq = next++;
    const [topic, payload] =
      seq % 2 === 0
        ? [`busbar/metrics/${run}/${run}`, `${run},host=h${seq % 7} value=${seq} ${startMs + seq}000000`]
        : [`dev/${run}/reading`, JSON.stringify({ n: seq })];
    client.publish(topic, payload, { qos: 1 }, (error) => {
      if (error === undefined || error === null) acked.add(seq);
      one();
    });
  };
  for (let i = 0; i < 64; i++) one();
  return {
    acked,
    stop: () => {
      stopped = true;
    },
  };
}

async function connect(port: number): Promise<MqttClient> {
  const client = mqtt.connect(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0, clientId: `crash-${port}` });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  // The kill ends the connection: that is expected here.
  client.on('error', () => undefined);
  return client;
}

/** Device points (no timestamp of their own) stored more than once, at different times. */
function storedTwice(file: string, run: string): number[] {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare(
        `SELECT p.value AS value FROM points p JOIN series s ON s.id = p.series_id
         WHERE s.measurement = ? GROUP BY p.value HAVING count(*) > 1`,
      )
      .all(`${run}dev`) as { value: number }[];
    return rows.map((row) => row.value);
  } finally {
    db.close();
  }
}

/** Sequence numbers of the run's points in the history store. */
function inHistory(file: string, run: string): Set<number> {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare(
        `SELECT p.value AS value FROM points p JOIN series s ON s.id = p.series_id
         WHERE s.measurement IN (?, ?)`,
      )
      .all(run, `${run}dev`) as { value: number }[];
    return new Set(rows.map((row) => row.value));
  } finally {
    db.close();
  }
}

async function inVictoriaMetrics(run: string, expected: Set<number>): Promise<Set<number>> {
  const found = new Set<number>();
  const collect = (series: { values: number[] }[]): void => {
    for (const { values } of series) for (const value of values) found.add(value);
  };
  await vm.exportWhen(
    `{__name__=~"${run}_value|${run}dev_n"}`,
    (series) => {
      found.clear();
      collect(series);
      return [...expected].every((seq) => found.has(seq));
    },
    30_000,
  );
  return found;
}

const missingFrom = (expected: Set<number>, found: Set<number>): number[] =>
  [...expected].filter((seq) => !found.has(seq)).slice(0, 20);

async function killMidStream(run: string, databaseDown: boolean): Promise<void> {
  const data = path.join(dir.path, run);
  const port = await freePort();
  await mkdir(data, { recursive: true });
  const file = await writeConfig(data, port, run);
  if (databaseDown) await vm.kill('SIGKILL');

  const first = spawnCli(['start', '-c', file]);
  await waitForOutput(first.output, (text) => text.includes('busbar ready'), 30_000);
  const publisher = await connect(port);
  const sent = stream(publisher, run, 0);
  // Kill once a good number of points are acknowledged, with more in flight.
  await waitFor(() => sent.acked.size >= 3_000, '3000 points acknowledged', 60_000);
  first.child.kill('SIGKILL');
  await first.exited;
  sent.stop();
  publisher.end(true);
  const acked = new Set(sent.acked);
  expect(first.output()).not.toContain('busbar stopped');

  if (databaseDown) await vm.restart();
  const second = spawnCli(['start', '-c', file]);
  try {
    await waitForOutput(second.output, (text) => text.includes('busbar ready'), 30_000);
    const history = path.join(data, 'history.db');
    await waitFor(
      () => missingFrom(acked, inHistory(history, run)).length === 0,
      'every acknowledged point in the history store',
      30_000,
    );
    const stored = await inVictoriaMetrics(run, acked);
    expect(missingFrom(acked, stored)).toEqual([]);
    // The crash left acknowledged messages in the journal, and they were replayed...
    const replayed = /"messages":(\d+)[^\n]*replayed acknowledged messages/.exec(second.output());
    expect(Number(replayed?.[1] ?? 0)).toBeGreaterThan(0);
    // ...with their first arrival time: one that had reached the store already is not stored again.
    expect(storedTwice(history, run)).toEqual([]);
  } finally {
    second.child.kill('SIGTERM');
    await second.exited;
  }
}

describe('busbar killed with SIGKILL while devices stream QoS 1 points', () => {
  it('keeps every acknowledged point, database up', async () => {
    await killMidStream('crashup', false);
  }, 180_000);

  it('keeps every acknowledged point, database down during the crash', async () => {
    await killMidStream('crashdown', true);
  }, 180_000);
});
