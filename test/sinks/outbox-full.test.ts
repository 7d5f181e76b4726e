import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBusbar, type TestBusbar } from '../helpers/busbar.js';
import { Clients, record, subscribe, waitFor, type ReceivedMessage } from '../helpers/mqtt-clients.js';
import { freePort } from '../helpers/ports.js';
import { tempDir } from '../helpers/process.js';

let busbar: TestBusbar;
let dir: Awaited<ReturnType<typeof tempDir>>;
let port: number;
const clients = new Clients();
let seen: ReceivedMessage[];

function last(topic: string): Record<string, unknown> | undefined {
  const message = seen.filter((m) => m.topic === topic).at(-1);
  return message ? (JSON.parse(message.payload) as Record<string, unknown>) : undefined;
}

beforeAll(async () => {
  dir = await tempDir('outbox-full');
  port = await freePort(); // nothing listens there: the database is down
  busbar = await startTestBusbar({
    sinks: {
      history: { enabled: false },
      influxdb1: {
        url: `http://writer:s3cret-pw@127.0.0.1:${port}`,
        database: 'metrics',
        outboxPath: path.join(dir.path, 'outbox.db'),
        outboxMaxSize: '2KiB',
        batchSize: 10,
        flushInterval: '20ms',
        statsInterval: '50ms',
        retryDelay: '50ms',
        maxRetryDelay: '100ms',
      },
    },
  });
  const watcher = await clients.connect(busbar.url);
  seen = record(watcher);
  await subscribe(watcher, 'busbar/stats/influxdb1', 0);
  await subscribe(watcher, 'busbar/alarms/#', 0);
  const device = await clients.connect(busbar.url);
  const t = BigInt(Date.now()) * 1_000_000n;
  for (let i = 0; i < 20; i++) {
    const lines = Array.from(
      { length: 10 },
      (_, j) => `m,host=h${j} value=${i * 10 + j} ${t + BigInt(i * 10 + j)}`,
    );
    await device.publishAsync('busbar/metrics/h/m', lines.join('\n'), { qos: 1 });
  }
  await waitFor(() => last('busbar/stats/influxdb1')?.accepted === 200, 'all 200 lines accepted');
});

afterAll(async () => {
  await clients.closeAll();
  await busbar.stop();
  await dir.remove();
});

describe('a full outbox while the database is down', () => {
  it('drops the oldest lines, counts them, and keeps the outbox within its size', async () => {
    await waitFor(() => ((last('busbar/stats/influxdb1')?.dropped as number) ?? 0) > 0, 'drops counted');
    const stats = last('busbar/stats/influxdb1')!;
    const outbox = stats.outbox as { bytes: number; lines: number };
    expect(outbox.bytes).toBeLessThanOrEqual(2048 + 400); // the newest batch may top it up once
    expect((stats.dropped as number) + outbox.lines).toBe(200);
    expect(stats.state).toBe('retrying');
    expect(busbar.log.find('outbox full').length).toBeGreaterThan(0);
  });

  it('raises a retained outbox-full alarm event', async () => {
    await waitFor(() => last('busbar/alarms/outbox-full/influxdb1') !== undefined, 'the alarm event');
    expect(last('busbar/alarms/outbox-full/influxdb1')).toMatchObject({
      rule: 'outbox-full',
      series: 'influxdb1',
      state: 'firing',
      threshold: 2048,
    });
  });

  it('logs the unreachable database with its URL, never its credentials', () => {
    const [failure] = busbar.log.find('cannot write to');
    expect(failure).toMatchObject({ url: `http://127.0.0.1:${port}/write?db=metrics&precision=ns` });
    expect(String(failure!.reason)).toContain('ECONNREFUSED');
    expect(busbar.log.text()).not.toContain('s3cret-pw');
    expect(JSON.stringify(seen)).not.toContain('s3cret-pw');
  });
});
