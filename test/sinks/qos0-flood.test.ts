/**
 * A device or bridge that floods busbar with QoS 0 publishes (no window: as fast as its socket takes
 * them) costs no point while busbar runs: whatever queue fills on the way, the broker holds its
 * reading instead of dropping, and every point reaches the history store, through the whole path
 * (broker, ingest check, history, alarms). `bench:ingest`'s QoS 0 pass once lost points this way: the
 * emitter's backlog drained by recursion (patches/mqemitter+*.patch; the conditions that overflow
 * it are reproduced in test/bus/local.test.ts and test/broker/emitter-backlog.test.ts).
 */
import type net from 'node:net';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestBusbar, type TestBusbar } from '../helpers/busbar.js';
import { Clients, record, subscribe, waitFor, type ReceivedMessage } from '../helpers/mqtt-clients.js';
import { tempDir } from '../helpers/process.js';
import { connectRaw, floodQos0 } from '../helpers/raw-flood.js';

const POINTS = 30_000;
const HOSTS = 50;
const T = Date.now() - 3_600_000;

let dir: Awaited<ReturnType<typeof tempDir>>;
let file: string;
let busbar: TestBusbar;
const clients = new Clients();
let stats: ReceivedMessage[];
let socket: net.Socket | undefined;

beforeAll(async () => {
  dir = await tempDir('qos0-flood');
  file = path.join(dir.path, 'history.db');
  busbar = await startTestBusbar({
    agent: { enabled: false },
    sinks: { history: { path: file, flushInterval: '20ms', statsInterval: '50ms' } },
  });
  const watcher = await clients.connect(busbar.url);
  stats = record(watcher);
  await subscribe(watcher, 'busbar/stats/history', 0);
});

afterAll(async () => {
  socket?.destroy();
  await clients.closeAll();
  await busbar.stop();
  await dir.remove();
});

function pointsWritten(): number {
  const last = stats.filter((m) => m.topic === 'busbar/stats/history').at(-1);
  return last ? (JSON.parse(last.payload) as { pointsWritten: number }).pointsWritten : 0;
}

it(`stores all of ${POINTS.toLocaleString('en-US')} one-point QoS 0 publishes sent in one write`, async () => {
  socket = await connectRaw(Number(new URL(busbar.url).port), 'flood');
  // One point per message, each (series, time) its own: host h<i % 50> at T + i ms.
  floodQos0(
    socket,
    Array.from({ length: POINTS }, (_, i) => ({
      topic: `busbar/metrics/flood/h${i % HOSTS}`,
      payload: `flood,host=h${i % HOSTS} value=${i} ${T + i}000000`,
    })),
  );

  await waitFor(() => pointsWritten() >= POINTS, `${POINTS} points written to the history store`, 60_000);
  const db = new Database(file, { readonly: true });
  try {
    const stored = db
      .prepare(
        `SELECT count(*) AS points, count(DISTINCT p.value) AS values_ FROM points p
           JOIN series s ON s.id = p.series_id WHERE s.measurement = 'flood'`,
      )
      .get() as { points: number; values_: number };
    expect(stored).toEqual({ points: POINTS, values_: POINTS });
  } finally {
    db.close();
  }
  expect(busbar.log.lines.filter((line) => line.level >= 40).map((line) => line.msg)).toEqual([]);
});
