/**
 * A real VictoriaMetrics (Debian `victoria-metrics`) on 127.0.0.1, a free port and a temporary
 * directory. It accepts InfluxDB's /api/v2/write; what it stored is read back through its export API.
 * It can be killed and started again on the same port and data, for fault tests.
 */
import { freePort, waitForPort } from './ports.js';
import { requireBinary, startProcess, tempDir, type RunningProcess } from './process.js';

export interface VictoriaMetricsServer {
  readonly port: number;
  readonly url: string;
  /**
   * Every sample of the series matching `selector` (a PromQL series selector), after a flush.
   * InfluxDB line `m,tag=v field=1` becomes the series `m_field{tag="v"}`; times are milliseconds.
   */
  export(selector: string): Promise<ExportedSeries[]>;
  /**
   * `export` again every 200 ms until `done` holds or `timeoutMs` passes, then the last answer: a
   * series new to VictoriaMetrics becomes searchable up to about a second after it was written.
   */
  exportWhen(
    selector: string,
    done: (series: ExportedSeries[]) => boolean,
    timeoutMs?: number,
  ): Promise<ExportedSeries[]>;
  kill(signal?: NodeJS.Signals): Promise<void>;
  restart(): Promise<void>;
  stop(): Promise<void>;
  /** The server's process id (for measurements). */
  pid(): number | undefined;
}

export interface ExportedSeries {
  metric: Record<string, string>;
  values: number[];
  timestamps: number[];
}

export async function startVictoriaMetrics(): Promise<VictoriaMetricsServer> {
  const binary = requireBinary('/usr/bin/victoria-metrics', 'victoria-metrics');
  const dir = await tempDir('victoria-metrics');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let proc: RunningProcess;

  async function launch(): Promise<void> {
    proc = startProcess(binary, [
      `-storageDataPath=${dir.path}`,
      `-httpListenAddr=127.0.0.1:${port}`,
      // Fresh samples are searchable at once, not 30 s later.
      '-search.latencyOffset=0s',
      '-search.disableCache',
      '-loggerLevel=ERROR',
    ]);
    try {
      await waitForPort(port, '127.0.0.1', 20_000);
    } catch (error) {
      await proc.stop();
      throw new Error(`victoria-metrics did not start: ${proc.output()}`, { cause: error });
    }
  }

  async function exportSeries(selector: string): Promise<ExportedSeries[]> {
    const flush = await fetch(`${url}/internal/force_flush`);
    await flush.body?.cancel();
    const response = await fetch(`${url}/api/v1/export`, {
      method: 'POST',
      body: new URLSearchParams({ 'match[]': selector }),
    });
    if (!response.ok) throw new Error(`export failed: HTTP ${response.status} ${await response.text()}`);
    const text = await response.text();
    return text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as ExportedSeries);
  }

  await launch();
  return {
    port,
    url,
    export: exportSeries,
    async exportWhen(selector, done, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const series = await exportSeries(selector);
        if (done(series) || Date.now() > deadline) return series;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    },
    kill: (signal = 'SIGKILL') => proc.stop(signal),
    restart: launch,
    async stop() {
      await proc.stop();
      await dir.remove();
    },
    pid: () => proc.child.pid,
  };
}
