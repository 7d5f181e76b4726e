/**
 * Local time in an IANA time zone with the Intl API alone (no time-zone database of busbar's own):
 * the zone's offset from UTC at an instant, and the instant of a local date-time.
 */

const MINUTE_MS = 60_000;
/**
 * Offsets are looked up once per quarter hour of UTC: every zone in use today is offset by a whole
 * number of quarter hours and changes offset on a quarter hour, so the offset at a slot's start holds
 * for the whole slot.
 */
const SLOT_MS = 15 * MINUTE_MS;
/** Slots remembered before the cache starts again (about 100 days of quarter hours). */
const CACHE_SLOTS = 10_000;

/** The system's time zone, as Node reports it (`TZ`, else the host's setting). */
export function systemTimeZone(): string {
  return new Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** Why `name` is not a time zone Intl knows, or undefined when it is one. */
export function timeZoneProblem(name: string): string | undefined {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return undefined;
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    return `"${name}" is not an IANA time zone name known here (e.g. Europe/Paris, America/New_York, UTC)`;
  }
}

/** Fields of a local date-time, month 1-12. */
export interface LocalDateTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

export class TimeZone {
  private readonly format: Intl.DateTimeFormat;
  private readonly offsets = new Map<number, number>();
  /** The latest slot asked for: points mostly arrive in time order, many in one slot. */
  private lastSlot = NaN;
  private lastOffset = 0;

  constructor(readonly name: string) {
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone: name,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  }

  /** Local time minus UTC at `atMs`, in ms (Paris in winter: +3,600,000). */
  offsetMs(atMs: number): number {
    const slot = Math.floor(atMs / SLOT_MS);
    if (slot === this.lastSlot) return this.lastOffset;
    let offset = this.offsets.get(slot);
    if (offset === undefined) {
      if (this.offsets.size >= CACHE_SLOTS) this.offsets.clear();
      offset = this.measure(slot * SLOT_MS);
      this.offsets.set(slot, offset);
    }
    this.lastSlot = slot;
    this.lastOffset = offset;
    return offset;
  }

  /** `atMs` shifted by the zone's offset: its UTC fields are the local date and time. */
  localMs(atMs: number): number {
    return atMs + this.offsetMs(atMs);
  }

  /**
   * The instant of a local date-time. A time that happens twice (clocks set back) is its first
   * occurrence; one the clocks skip (set forward) is taken with the offset before the change, so
   * 02:30 on a night that skips 02:00-03:00 is 03:30 (as Temporal's `compatible` does).
   */
  instant(local: LocalDateTime): number {
    const asUtc = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second);
    // The offsets half a day either side: a zone changes offset at most once in a day.
    const before = asUtc - this.offsetMs(asUtc - 12 * 60 * MINUTE_MS);
    const after = asUtc - this.offsetMs(asUtc + 12 * 60 * MINUTE_MS);
    const valid = [before, after].filter((candidate) => this.localMs(candidate) === asUtc);
    return valid.length > 0 ? Math.min(...valid) : before;
  }

  private measure(atMs: number): number {
    const fields: Record<string, number> = {};
    for (const part of this.format.formatToParts(atMs)) {
      if (part.type !== 'literal') fields[part.type] = Number(part.value);
    }
    const local = Date.UTC(
      fields.year!,
      fields.month! - 1,
      fields.day!,
      fields.hour!,
      fields.minute!,
      fields.second!,
    );
    return local - (atMs - (atMs % 1000));
  }
}
