/**
 * The grouped notifications (<base>/notify/<group>) whose buttons the bot may be asked to act on.
 * A button carries only a hash of the group key (callback-data.ts), so the bot keeps, per group, what
 * its buttons need: the group's labels ("Silence 1 h") and the rule and series of its alarms (their
 * current state, for "Graph", is the retained alarm state). The last REMEMBERED_GROUPS groups are
 * kept in a small JSON file beside the paired chats, written a moment after a change (whole, to a
 * temporary file renamed over the old one), so the buttons keep working after a restart. A damaged or
 * missing file only means starting with no group remembered: it never stops the bot.
 */
import { readFile } from 'node:fs/promises';
import { writeFileAtomically } from '../../core/util/atomic-file.js';
import { z } from 'zod';
import type { AlarmNotification } from '../../alarms/notification.js';
import { errorMessage } from '../../core/runtime/errors.js';
import type { Logger } from '../../core/runtime/logger.js';
import { subjectHash } from './callback-data.js';

/** Grouped notifications remembered for their buttons. */
export const REMEMBERED_GROUPS = 1_000;
/** A change is written this long after it, with any that follow meanwhile. */
export const GROUPS_SAVE_DELAY_MS = 1_000;

const alarmRefSchema = z.object({ rule: z.string(), series: z.string() });

const groupSchema = z.object({
  group: z.string(),
  labels: z.record(z.string(), z.string()),
  alarms: z.array(alarmRefSchema),
});

const fileSchema = z.object({ groups: z.array(groupSchema) });

/** What a group's buttons need: its key, its labels and which alarms it told about. */
export type RememberedGroup = z.output<typeof groupSchema>;

export class NotifiedGroups {
  /** Group key → group, oldest first. */
  private readonly groups = new Map<string, RememberedGroup>();
  /** Button hash → group key. */
  private readonly byHash = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private dirty = false;

  constructor(
    /** The JSON file; see groupsPathFor (config.ts). */
    readonly file: string,
    private readonly log: Logger,
  ) {}

  /** Reads the file; a missing one is an empty list, a damaged one is warned about and ignored. */
  async load(): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      this.warnUnreadable(errorMessage(error));
      return;
    }
    let parsed;
    try {
      parsed = fileSchema.safeParse(JSON.parse(text));
    } catch (error) {
      this.warnUnreadable(`not JSON: ${errorMessage(error)}`);
      return;
    }
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      this.warnUnreadable(`not a notified-groups file (${issue?.path.join('.')}: ${issue?.message})`);
      return;
    }
    for (const group of parsed.data.groups.slice(-REMEMBERED_GROUPS)) this.set(group);
  }

  get size(): number {
    return this.groups.size;
  }

  /** Remembers a grouped notification (the newest); the file follows shortly. */
  remember(notification: AlarmNotification): void {
    this.set({
      group: notification.group,
      labels: { ...notification.labels },
      alarms: notification.alarms.map((alarm) => ({ rule: alarm.rule, series: alarm.series })),
    });
    this.dirty = true;
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.save();
    }, GROUPS_SAVE_DELAY_MS);
  }

  byButtonHash(hash: string): RememberedGroup | undefined {
    const key = this.byHash.get(hash);
    return key === undefined ? undefined : this.groups.get(key);
  }

  /** Writes what is not written yet, at once (on stop). */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.save();
  }

  private set(group: RememberedGroup): void {
    if (!this.groups.delete(group.group))
      this.byHash.set(subjectHash({ kind: 'group', key: group.group }), group.group);
    this.groups.set(group.group, group);
    if (this.groups.size > REMEMBERED_GROUPS) {
      const oldest = this.groups.keys().next().value!;
      this.groups.delete(oldest);
      this.byHash.delete(subjectHash({ kind: 'group', key: oldest }));
    }
  }

  /** One write at a time; a failed write is warned about and tried again with the next change. */
  private save(): Promise<void> {
    this.writing = this.writing.then(async () => {
      if (!this.dirty) return;
      this.dirty = false;
      const text = `${JSON.stringify({ groups: [...this.groups.values()] })}\n`;
      try {
        await writeFileAtomically(this.file, text, 0o600);
      } catch (error) {
        this.log.warn(
          { path: this.file, err: errorMessage(error) },
          'telegram: notified groups not saved; their buttons may not survive a restart',
        );
      }
    });
    return this.writing;
  }

  private warnUnreadable(reason: string): void {
    this.log.warn(
      { path: this.file, err: reason },
      `telegram: notified groups file ${this.file} unreadable (${reason}); starting with none: buttons of earlier grouped notifications will not work`,
    );
  }
}
