/**
 * When the alarm state file is written: after a tick in which something it keeps changed (alarm
 * instances, notification groups, silences), and on stop. Each part bumps a change counter; the file
 * is written only when one moved, so a quiet system does not rewrite it every second.
 */
import { saveAlarmState, type AlarmState } from './state-file.js';

export class AlarmStateSaver {
  private saved = '';

  constructor(
    private readonly path: string,
    /** The change counters of every part the file keeps. */
    private readonly versions: () => readonly number[],
    private readonly state: () => AlarmState,
  ) {}

  /** Marks what was read at start as saved. */
  loaded(): void {
    this.saved = this.versions().join(',');
  }

  async save(): Promise<void> {
    const versions = this.versions().join(',');
    if (versions === this.saved) return;
    this.saved = versions;
    await saveAlarmState(this.path, this.state());
  }
}
