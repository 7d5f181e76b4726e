/**
 * `/health`: `OK` (200) when the broker accepts a publish and no sink or store reports a state other
 * than `ok` on its statistics topic; otherwise 503 with one line per problem. Seed 002's monitor
 * answered "OK" on `/` for availability checks; load balancers and uptime checkers expect that.
 */
import type { BusState } from './bus-state.js';

export interface HealthReport {
  readonly ok: boolean;
  readonly problems: string[];
}

export function checkHealth(
  state: BusState,
  broker: { ok: boolean; detail: string },
  store: string | undefined,
): HealthReport {
  const problems: string[] = [];
  if (!broker.ok) problems.push(`broker: ${broker.detail}`);
  if (store !== undefined) problems.push(`history store: ${store}`);
  for (const [id, stats] of state.stats) {
    const component = stats.state;
    if (typeof component === 'string' && component !== 'ok') {
      const error = typeof stats.lastError === 'string' ? ` (${stats.lastError})` : '';
      problems.push(`${id}: ${component}${error}`);
    }
  }
  return { ok: problems.length === 0, problems };
}

export function healthText(report: HealthReport): string {
  return report.ok ? 'OK\n' : `UNHEALTHY\n${report.problems.map((problem) => `${problem}\n`).join('')}`;
}
