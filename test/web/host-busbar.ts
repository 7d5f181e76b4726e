/**
 * A busbar with its host agent on (readings every 500 ms, CPU per core too) and the history store behind the web,
 * returned once every measurement the host dashboard draws is stored: the pages then have data.
 */
import type { ConfigInput } from '../../config/schema.js';
import { startWebBusbar, webUsers, type WebBusbar } from './web-fixture.js';

/** The measurements the dashboard needs before the page is worth opening. */
const NEEDED = ['cpu', 'mem', 'disk', 'net', 'system', 'processes', 'procstat'];

export interface HostBusbar {
  readonly web: WebBusbar;
  /** The agent's source name (the machine's). */
  readonly host: string;
}

/** `agent` is merged into the agent's section (a collector's own settings, say). */
export async function startHostBusbar(agent: NonNullable<ConfigInput['agent']> = {}): Promise<HostBusbar> {
  const web = await startWebBusbar({
    ...(await webUsers()),
    // Per core too: the dashboard's chart of each core's CPU.
    agent: { interval: '500ms', cpu: { perCore: true }, ...agent },
    sinks: { history: { flushInterval: '20ms' } },
    alarms: { enabled: false },
  });
  // The agent's first rates need two readings; wait until every dashboard measurement is stored.
  for (;;) {
    const sources = (await (await fetch(`${web.base}/api/sources`)).json()) as { source: string }[];
    const host = sources[0]?.source ?? '';
    if (host !== '') {
      const series = (await (
        await fetch(`${web.base}/api/series?pattern=${encodeURIComponent(`${host}/*`)}`)
      ).json()) as { measurement: string }[];
      const have = new Set(series.map((s) => s.measurement));
      if (NEEDED.every((m) => have.has(m))) return { web, host };
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
