/**
 * A real InfluxDB 1.x (Debian `influxdb`, 1.6) on 127.0.0.1, free ports and a temporary directory,
 * optionally with authentication. It can be killed and started again on the same port and data,
 * for fault tests.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { freePort, waitForPort } from './ports.js';
import { requireBinary, startProcess, tempDir, type RunningProcess } from './process.js';

export interface InfluxServer {
  readonly port: number;
  /** http://127.0.0.1:PORT, without credentials. */
  readonly url: string;
  /** Runs InfluxQL (as the admin user when auth is on) and returns the parsed JSON answer. */
  query(q: string, db?: string): Promise<InfluxQueryResult>;
  /** Every row of `SELECT * FROM measurement`, times in nanoseconds. */
  rows(db: string, measurement: string): Promise<Record<string, unknown>[]>;
  /** Stops the server (SIGKILL by default: a crash), keeping its data. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port and data. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface InfluxQueryResult {
  results: { series?: { name: string; columns: string[]; values: unknown[][] }[]; error?: string }[];
}

export const INFLUX_ADMIN = { username: 'admin', password: 'admin-secret-1' };

export async function startInfluxd(options: { auth?: boolean } = {}): Promise<InfluxServer> {
  const binary = requireBinary('/usr/bin/influxd', 'influxdb');
  const dir = await tempDir('influxd');
  const port = await freePort();
  const rpcPort = await freePort();
  const config = path.join(dir.path, 'influxdb.conf');
  await writeFile(
    config,
    [
      'reporting-enabled = false',
      `bind-address = "127.0.0.1:${rpcPort}"`,
      '[meta]',
      `  dir = "${dir.path}/meta"`,
      '[data]',
      `  dir = "${dir.path}/data"`,
      `  wal-dir = "${dir.path}/wal"`,
      '  query-log-enabled = false',
      '[monitor]',
      '  store-enabled = false',
      '[http]',
      `  bind-address = "127.0.0.1:${port}"`,
      `  auth-enabled = ${options.auth === true}`,
      '  log-enabled = false',
      '[logging]',
      '  level = "warn"',
      '[continuous_queries]',
      '  enabled = false',
    ].join('\n'),
  );
  const url = `http://127.0.0.1:${port}`;
  const authHeader = `Basic ${Buffer.from(`${INFLUX_ADMIN.username}:${INFLUX_ADMIN.password}`).toString('base64')}`;
  let proc: RunningProcess;

  async function launch(): Promise<void> {
    proc = startProcess(binary, ['-config', config]);
    try {
      await waitForPort(port, '127.0.0.1', 20_000);
      await waitForPing(url);
    } catch (error) {
      await proc.stop();
      throw new Error(`influxd did not start: ${proc.output()}`, { cause: error });
    }
  }

  async function query(q: string, db?: string, withAuth = options.auth === true): Promise<InfluxQueryResult> {
    const params = new URLSearchParams({ q, epoch: 'ns' });
    if (db !== undefined) params.set('db', db);
    const response = await fetch(`${url}/query`, {
      method: 'POST',
      body: params,
      headers: withAuth ? { Authorization: authHeader } : {},
    });
    const result = (await response.json()) as InfluxQueryResult;
    const error = result.results?.find((r) => r.error)?.error;
    if (!response.ok || error)
      throw new Error(`InfluxQL "${q}" failed: HTTP ${response.status} ${error ?? ''}`);
    return result;
  }

  await launch();
  // With auth on, the first user may be created without credentials.
  if (options.auth) {
    const { username, password } = INFLUX_ADMIN;
    await query(`CREATE USER ${username} WITH PASSWORD '${password}' WITH ALL PRIVILEGES`, undefined, false);
  }

  return {
    port,
    url,
    query: (q, db) => query(q, db),
    async rows(db, measurement) {
      const result = await query(`SELECT * FROM "${measurement}"`, db);
      const series = result.results[0]?.series?.[0];
      if (!series) return [];
      return series.values.map((values) =>
        Object.fromEntries(series.columns.map((column, i) => [column, values[i]])),
      );
    },
    kill: (signal = 'SIGKILL') => proc.stop(signal),
    restart: launch,
    async stop() {
      await proc.stop();
      await dir.remove();
    },
  };
}

async function waitForPing(url: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const status = await fetch(`${url}/ping`).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 204) return;
    if (Date.now() > deadline) throw new Error(`${url}/ping did not answer 204`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
