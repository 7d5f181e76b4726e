/**
 * File descriptors: every MQTT and HTTP connection holds one, and so do busbar's own files (SQLite
 * stores, the journal, bridge queues, logs) and its outgoing connections (Redis, InfluxDB, SMTP,
 * remote brokers). Once the process runs out, `accept` fails and the broker refuses everyone with
 * nothing logged (seen at ~20,000 half-open HTTP requests). So the connection caps
 * (`broker.maxConnections`, `web.maxConnections`) must leave a reserve below the limit; this says
 * at start whether they do.
 */
import { readFileSync } from 'node:fs';
import type { Logger } from './logger.js';

/**
 * Descriptors kept for busbar itself beyond its connection caps. busbar with the broker (TCP and
 * WebSocket listeners), web, agent, alarms and history store holds 32 at rest (measured:
 * `ls /proc/PID/fd`); the rest is headroom for notifier, store, Redis and bridge connections opened
 * under load, for the journal's segments and for SQLite's temporary files.
 */
export const DESCRIPTOR_RESERVE = 512;

/**
 * The soft limit on open files (`ulimit -n`) of this process, from /proc/self/limits; undefined
 * where there is no such file. Node raises its soft limit to the hard one as it starts, so this is
 * the limit that applies, which `ulimit -n` in the parent shell may understate.
 */
export function openFilesLimit(
  limits = (): string => readFileSync('/proc/self/limits', 'utf8'),
): number | undefined {
  try {
    const line = limits()
      .split('\n')
      .find((text) => text.startsWith('Max open files'));
    const soft = line?.slice('Max open files'.length).trim().split(/\s+/)[0];
    return soft === undefined || !/^\d+$/.test(soft) ? undefined : Number(soft); // "unlimited"
  } catch {
    return undefined; // not Linux: nothing to compare with
  }
}

export interface DescriptorBudget {
  readonly limit: number | undefined;
  /** Connection caps by the key that sets them (`broker.maxConnections`). */
  readonly caps: Readonly<Record<string, number>>;
  readonly reserve: number;
  /** True when the caps plus the reserve exceed the limit. */
  readonly short: boolean;
}

/** Logs the limit and the caps at start, and warns when they leave less than the reserve. */
export function checkDescriptors(
  caps: Readonly<Record<string, number>>,
  log: Logger,
  limit = openFilesLimit(),
): DescriptorBudget {
  const total = Object.values(caps).reduce((sum, cap) => sum + cap, 0);
  const short = limit !== undefined && total + DESCRIPTOR_RESERVE > limit;
  const budget = { limit, caps, reserve: DESCRIPTOR_RESERVE, short };
  const fields = { openFilesLimit: limit ?? 'unknown', ...caps, reserve: DESCRIPTOR_RESERVE };
  if (short) {
    log.warn(
      fields,
      `connection caps (${total}) plus a reserve of ${DESCRIPTOR_RESERVE} exceed the open files limit: ` +
        'lower the caps or raise the limit (LimitNOFILE= in a systemd unit, ulimit -n), or the process may run out of descriptors',
    );
  } else {
    log.info(fields, 'file descriptors');
  }
  return budget;
}
