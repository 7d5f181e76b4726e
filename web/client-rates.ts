/**
 * Each listed client's messages received per second (`deliveredPerSecond`: what the broker sent
 * it), beside the `publishedPerSecond` the broker computes itself (broker/clients-publisher.ts).
 * Measured between two client lists, by the time this server received each (as for the broker's
 * rates, broker-rates.ts), for the same connection only (id and `connectedSince`).
 *
 * The broker republishes the list only when some client's counts changed (checked every
 * `sysInterval`, the period of its statistics, and built at most once a second). So once no list
 * has come for two statistics periods and two seconds, no count moved since the last one, and every
 * rate is 0 now: without that, a client that
 * stopped receiving would keep its last rate on the page for as long as nothing else moved.
 */

type ClientEntry = Record<string, unknown>;

interface Window {
  readonly atMs: number;
  readonly delivered: number;
}

/** Shorter windows than this keep the previous rate: two lists a few milliseconds apart measure noise. */
const MIN_WINDOW_MS = 500;

/** The broker builds its list at most once per second (clients-publisher.ts minIntervalMs). */
const LIST_LAG_MS = 2_000;

const round = (value: number): number => Math.round(value * 100) / 100;

function connectionKey(entry: ClientEntry): string {
  return `${String(entry.clientId)}\u0000${String(entry.connectedSince)}`;
}

export class ClientRates {
  private windows = new Map<string, Window & { perSecond: number }>();
  private listAtMs = 0;
  private lastStatsAtMs: number | undefined;
  private list: ClientEntry[] = [];

  /** The latest list, each entry with its `deliveredPerSecond`. */
  get clients(): ClientEntry[] {
    return this.list;
  }

  /** Takes a list of the broker's clients received at `atMs`. */
  update(entries: readonly ClientEntry[], atMs: number): void {
    const next = new Map<string, Window & { perSecond: number }>();
    this.list = entries.map((entry) => {
      const key = connectionKey(entry);
      const delivered = typeof entry.delivered === 'number' ? entry.delivered : 0;
      const previous = this.windows.get(key);
      let window = previous ?? { atMs, delivered, perSecond: 0 };
      if (previous && atMs - previous.atMs >= MIN_WINDOW_MS && delivered >= previous.delivered) {
        window = {
          atMs,
          delivered,
          perSecond: round(((delivered - previous.delivered) * 1000) / (atMs - previous.atMs)),
        };
      }
      next.set(key, window);
      return { ...entry, deliveredPerSecond: window.perSecond };
    });
    this.windows = next;
    this.listAtMs = atMs;
  }

  /**
   * Called when the broker's statistics arrive (every sysInterval); true when the rates dropped to
   * 0 because no list came for two periods and LIST_LAG_MS (see the header).
   */
  statsArrived(atMs: number): boolean {
    const period = this.lastStatsAtMs === undefined ? undefined : atMs - this.lastStatsAtMs;
    this.lastStatsAtMs = atMs;
    if (period === undefined || period <= 0 || atMs - this.listAtMs <= 2 * period + LIST_LAG_MS) return false;
    if (!this.list.some((entry) => entry.deliveredPerSecond !== 0)) return false;
    for (const [key, window] of this.windows) this.windows.set(key, { ...window, perSecond: 0 });
    this.list = this.list.map((entry) => ({ ...entry, deliveredPerSecond: 0 }));
    return true;
  }
}
