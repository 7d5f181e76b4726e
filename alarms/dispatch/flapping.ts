/**
 * Flapping detection, as Nagios does it with hysteresis: an alarm that changed state (firing ↔
 * resolved) `changes` times within `window` is flapping; it stops flapping once it has changed fewer
 * than half as often. A flapping alarm is told once as such instead of at every change.
 */
export class FlapDetector {
  private readonly stopBelow: number;

  constructor(
    private readonly changes: number,
    private readonly window: number,
  ) {
    this.stopBelow = Math.ceil(changes / 2);
  }

  /**
   * Records a change at `now` into `history` (the alarm's change times, oldest first; mutated) and
   * returns whether the alarm flaps after it, given whether it flapped before.
   */
  record(history: number[], now: number, flapping: boolean): boolean {
    if (this.changes === 0) return false;
    history.push(now);
    return this.evaluate(history, now, flapping);
  }

  /** Re-evaluates as time passes (old changes leave the window). */
  evaluate(history: number[], now: number, flapping: boolean): boolean {
    if (this.changes === 0) return false;
    while (history.length > 0 && history[0]! <= now - this.window) history.shift();
    return flapping ? history.length >= this.stopBelow : history.length >= this.changes;
  }
}
