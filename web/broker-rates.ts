/**
 * The broker's messages per second, from its counters (`<base>/stats/broker`: messagesReceived,
 * messagesSent) and the time this server received each publication: never the time a browser
 * received it, which made the first point of a page a false spike (the counters since the previous
 * publication, divided by the milliseconds since the page opened). The server keeps the recent
 * rates, so a page that opens draws the past hour at once instead of an empty chart.
 *
 * The broker publishes its statistics every `sysInterval` (10 s by default) and busbar's web reads
 * them in-process or from the same broker, so the time of receipt is the time of publication to
 * within the bus' latency; the document's `uptime` (whole seconds) is too coarse to divide by.
 */

/** One hour at the default 10 s interval. */
export const MAX_RATE_POINTS = 360;

/** Columns as uPlot takes them: seconds since the epoch, received /s, sent /s. */
export interface BrokerRateColumns {
  readonly at: readonly number[];
  readonly received: readonly number[];
  readonly sent: readonly number[];
}

interface Sample {
  readonly atMs: number;
  readonly received: number;
  readonly sent: number;
  readonly uptime: number;
}

function sampleOf(stats: Readonly<Record<string, unknown>>, atMs: number): Sample | undefined {
  const { messagesReceived: received, messagesSent: sent, uptime } = stats;
  if (typeof received !== 'number' || typeof sent !== 'number') return undefined;
  return { atMs, received, sent, uptime: typeof uptime === 'number' ? uptime : 0 };
}

const round = (value: number): number => Math.round(value * 100) / 100;

export class BrokerRates {
  private readonly at: number[] = [];
  private readonly received: number[] = [];
  private readonly sent: number[] = [];
  private last: Sample | undefined;

  constructor(private readonly maxPoints = MAX_RATE_POINTS) {}

  /**
   * Takes one publication of the broker's statistics, received at `atMs`; true when it added a rate.
   * The same document again (a retained copy sent after a resubscribe) adds nothing; a broker that
   * restarted (counters or uptime going back) starts a new series of rates, without a negative one.
   */
  add(stats: Readonly<Record<string, unknown>>, atMs: number): boolean {
    const sample = sampleOf(stats, atMs);
    if (sample === undefined) return false;
    const last = this.last;
    if (
      last &&
      last.received === sample.received &&
      last.sent === sample.sent &&
      last.uptime === sample.uptime
    )
      return false;
    this.last = sample;
    if (!last || sample.atMs <= last.atMs) return false;
    if (sample.received < last.received || sample.sent < last.sent || sample.uptime < last.uptime)
      return false;
    const seconds = (sample.atMs - last.atMs) / 1000;
    this.at.push(sample.atMs / 1000);
    this.received.push(round((sample.received - last.received) / seconds));
    this.sent.push(round((sample.sent - last.sent) / seconds));
    if (this.at.length > this.maxPoints) {
      this.at.shift();
      this.received.shift();
      this.sent.shift();
    }
    return true;
  }

  columns(): BrokerRateColumns {
    return { at: [...this.at], received: [...this.received], sent: [...this.sent] };
  }
}
