/**
 * Silences for routes on the raw alarm state topics (`<base>/alarms/#`). Grouped notifications
 * (`<base>/notify/#`) come already filtered by the alarms component; a route on the state topics would
 * otherwise mail an alarm someone silenced. The router keeps the active silences (retained on
 * `<base>/silences/+`) and asks here before sending a single-alarm payload.
 *
 * Matching is compileLabelMatchers' (alarms/silence.ts), the one definition, so a route mutes exactly
 * what the alarms component leaves out of its notifications.
 */
import type { AlarmMessage } from '../../alarms/alarm.js';
import { compileLabelMatchers, type LabelPredicate, type Silence } from '../../alarms/silence.js';

interface ActiveSilence {
  readonly endsAt: number;
  readonly matches: LabelPredicate;
}

export class SilencedAlarms {
  private readonly silences = new Map<string, ActiveSilence>();
  /**
   * Alarms whose firing was muted: their resolution is muted too (nobody was told they fired), until
   * they fire again unsilenced. Entries leave when the alarm resolves, so this holds at most the
   * alarms firing under a silence.
   */
  private readonly mutedFiring = new Set<string>();

  /** Keeps `silence` under `id`; undefined removes it (the retained topic was cleared). */
  set(id: string, silence: Silence | undefined): void {
    if (silence === undefined) this.silences.delete(id);
    else {
      this.silences.set(id, {
        endsAt: Date.parse(silence.endsAt),
        matches: compileLabelMatchers(silence.matchers),
      });
    }
  }

  get size(): number {
    return this.silences.size;
  }

  /**
   * Whether this state change of `alarm` is muted at `now`: a pending or firing alarm an active
   * silence matches, or the resolution of an alarm whose firing was muted.
   */
  mutes(alarm: AlarmMessage, now: number): boolean {
    const key = `${alarm.rule}/${alarm.series}`;
    if (alarm.state === 'pending' || alarm.state === 'firing') {
      const silenced = this.matches(alarm, now);
      if (alarm.state === 'firing') {
        if (silenced) this.mutedFiring.add(key);
        else this.mutedFiring.delete(key);
      }
      return silenced;
    }
    return this.mutedFiring.delete(key);
  }

  private matches(alarm: AlarmMessage, now: number): boolean {
    for (const silence of this.silences.values()) {
      if (silence.endsAt > now && silence.matches(alarm)) return true;
    }
    return false;
  }
}
