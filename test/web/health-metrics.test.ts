import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebBusbar, type WebBusbar } from './web-fixture.js';

let web: WebBusbar;

beforeAll(async () => {
  web = await startWebBusbar({
    ingest: { statsInterval: '50ms' },
    broker: { listeners: [{ type: 'tcp', host: '127.0.0.1', port: 0 }], sysInterval: '50ms' },
    sinks: { history: { statsInterval: '50ms' } },
  });
});

afterAll(async () => {
  await web?.stop();
});

const text = async (path: string) => {
  const response = await fetch(`${web.base}${path}`);
  return { status: response.status, type: response.headers.get('content-type'), body: await response.text() };
};

/** Asks again every 50 ms until `done` holds (10 s at most), and returns the last answer. */
const eventually = async (path: string, done: (answer: Awaited<ReturnType<typeof text>>) => boolean) => {
  let answer = await text(path);
  for (let i = 0; i < 200 && !done(answer); i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    answer = await text(path);
  }
  return answer;
};

describe('/health', () => {
  it('answers OK while the broker, the sinks and the store are healthy', async () => {
    // The history writer opens its file a moment after start: until then the store is not healthy.
    expect(await eventually('/health', (a) => a.status === 200)).toMatchObject({ status: 200, body: 'OK\n' });
  });

  it('answers 503 naming each component whose statistics report a state other than ok', async () => {
    const topic = 'busbar/stats/influxdb';
    await web.busbar.running.bus.publish(
      topic,
      JSON.stringify({ state: 'retrying', lastError: 'connect ECONNREFUSED 127.0.0.1:8086' }),
      { qos: 1, retain: true },
    );
    let health = await eventually('/health', (a) => a.status !== 200);
    expect(health.status).toBe(503);
    expect(health.body).toBe('UNHEALTHY\ninfluxdb: retrying (connect ECONNREFUSED 127.0.0.1:8086)\n');
    // The sink recovers: its next statistics say ok, and so does /health.
    await web.busbar.running.bus.publish(topic, JSON.stringify({ state: 'ok' }), { qos: 1, retain: true });
    health = await eventually('/health', (a) => a.status === 200);
    expect(health).toMatchObject({ status: 200, body: 'OK\n' });
  });
});

/** `promtool check metrics` on a scrape: its exit code and complaints (none when clean). */
function promtool(text: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile('promtool', ['check', 'metrics'], (error, stdout, stderr) => {
      const code = error ? Number((error as { code?: unknown }).code ?? 1) : 0;
      if (error && typeof (error as { code?: unknown }).code !== 'number') reject(error);
      else resolve({ code, output: `${stdout}${stderr}` });
    });
    child.stdin!.end(text);
  });
}

describe('/metrics', () => {
  it("exposes busbar's own statistics (retained busbar/stats/#) in Prometheus text format", async () => {
    // A rejected message, so the ingest's counters by reason are there too.
    await web.busbar.running.bus.publish('busbar/metrics/web1/cpu', 'not line protocol', { qos: 1 });
    const metrics = await eventually(
      '/metrics',
      (a) =>
        a.body.includes('busbar_history_points_written_total') &&
        /busbar_ingest_rejected_\w+_total/.test(a.body),
    );
    expect(metrics.status).toBe(200);
    expect(metrics.type).toBe('text/plain; version=0.0.4; charset=utf-8');
    const typed = (name: string, kind: string) =>
      expect(metrics.body).toMatch(
        new RegExp(`^# HELP ${name} .+\\n# TYPE ${name} ${kind}\\n${name} -?[\\d.e+-]+$`, 'm'),
      );
    for (const name of [
      'busbar_broker_messages_received_total',
      'busbar_ingest_metric_messages_total',
      'busbar_ingest_rejected_total',
      'busbar_history_points_written_total',
      'busbar_web_requests_total',
    ])
      typed(name, 'counter');
    for (const name of [
      'busbar_broker_clients_connected',
      'busbar_broker_clients',
      'busbar_history_pending',
      'busbar_history_last_write_seconds',
      'busbar_web_connections',
    ])
      typed(name, 'gauge');
    // Counts by reason are counters too.
    expect(metrics.body).toMatch(/^# TYPE busbar_ingest_rejected_\w+_total counter$/m);
    // Every metric has its HELP and TYPE, and every sample line is `name value`.
    for (const line of metrics.body.trimEnd().split('\n')) {
      expect(line).toMatch(
        /^(# HELP [a-zA-Z_:][\w:]* .+|# TYPE [a-zA-Z_:][\w:]* (gauge|counter)|[a-zA-Z_:][\w:]* -?[\d.e+-]+)$/,
      );
    }
    expect(await promtool(metrics.body)).toEqual({ code: 0, output: '' });
  });
});
