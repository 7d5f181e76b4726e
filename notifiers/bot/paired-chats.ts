/**
 * Chats added by pairing, kept in a small JSON file so they survive restarts. Written whole to a
 * temporary file and renamed, so a crash mid-write leaves the previous list, never half of one.
 *
 * A file that cannot be read as a list of paired chats does not stop the bot: it answers the chats
 * of the config's allow-list, no paired one (access is never widened by a damaged file), and the
 * caller logs why. The damaged file is kept for a person to look at: the next pairing moves it aside
 * to `<file>.damaged` before writing a new list.
 */
import { readFileSync, renameSync } from 'node:fs';
import { writeFileAtomicallySync } from '../../core/util/atomic-file.js';
import { z } from 'zod';
import { errorMessage } from '../../core/runtime/errors.js';

const receiveSchema = z.object({
  severities: z.array(z.string()).optional(),
  sources: z.array(z.string()).optional(),
});

const fileSchema = z.object({
  chats: z.array(
    z.object({
      id: z.number().int(),
      pairedAt: z.string(),
      user: z.number().int().optional(),
      username: z.string().optional(),
      /** Which alarm notifications the chat chose (RECEIVE); absent: all of them. */
      receive: receiveSchema.optional(),
    }),
  ),
  /** Chat id → when its mute (MUTE 2h) ends, ISO; any chat, paired or allowed by the config. */
  muted: z.record(z.string(), z.string()).optional(),
});

export type PairedChat = z.output<typeof fileSchema>['chats'][number];
export type ReceiveChoice = z.output<typeof receiveSchema>;
export type PairedChatsFile = z.output<typeof fileSchema>;

/** The file as the Telegram targets read it, or undefined when it is absent or unreadable. */
export function readPairedChatsFile(file: string): PairedChatsFile | undefined {
  try {
    const parsed = fileSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a chat's choice takes an alarm of `severity` from `source` (undefined: not an alarm). */
export function receives(
  choice: ReceiveChoice | undefined,
  alarms:
    readonly { readonly severity?: string | undefined; readonly source?: string | undefined }[] | undefined,
): boolean {
  if (choice === undefined || (choice.severities === undefined && choice.sources === undefined)) return true;
  return (alarms ?? []).some(
    (alarm) =>
      (choice.severities === undefined || choice.severities.includes(alarm.severity ?? '')) &&
      (choice.sources === undefined || choice.sources.includes(alarm.source ?? '')),
  );
}

export class PairedChats {
  private readonly chats = new Map<number, PairedChat>();
  private readonly muted = new Map<string, string>();
  private damagedReason: string | undefined;

  /** Reads `file` if it exists. */
  constructor(private readonly file: string) {
    this.damagedReason = this.read();
  }

  /** Why the file could not be read; undefined when it was read, did not exist, or was moved aside. */
  get damaged(): string | undefined {
    return this.damagedReason;
  }

  has(chat: number): boolean {
    return this.chats.has(chat);
  }

  list(): PairedChat[] {
    return [...this.chats.values()];
  }

  get(chat: number): PairedChat | undefined {
    return this.chats.get(chat);
  }

  add(chat: PairedChat): void {
    this.chats.set(chat.id, chat);
    this.write();
  }

  /** Unpairs a chat (STOP): it gets no notification and may not use busbar until paired again. */
  remove(chat: number): boolean {
    const had = this.chats.delete(chat);
    this.muted.delete(String(chat));
    if (had) this.write();
    return had;
  }

  /** What a paired chat receives; undefined: every alarm notification. */
  setReceive(chat: number, receive: ReceiveChoice | undefined): void {
    const entry = this.chats.get(chat);
    if (!entry) return;
    const { receive: _previous, ...rest } = entry;
    this.chats.set(chat, receive === undefined ? rest : { ...rest, receive });
    this.write();
  }

  /** Mutes a chat until `until` (ms since the epoch); undefined unmutes it. */
  mute(chat: number, until: number | undefined): void {
    if (until === undefined) this.muted.delete(String(chat));
    else this.muted.set(String(chat), new Date(until).toISOString());
    this.write();
  }

  mutedUntil(chat: number): number | undefined {
    const until = this.muted.get(String(chat));
    return until === undefined ? undefined : Date.parse(until);
  }

  private write(): void {
    if (this.damagedReason !== undefined) {
      this.moveDamagedAside();
      this.damagedReason = undefined;
    }
    const muted = Object.fromEntries(this.muted);
    const file = { chats: this.list(), ...(this.muted.size > 0 ? { muted } : {}) };
    writeFileAtomicallySync(this.file, `${JSON.stringify(file, null, 2)}\n`, 0o600);
  }

  /** Where a damaged file is moved before the first write over it. */
  get damagedCopy(): string {
    return `${this.file}.damaged`;
  }

  private read(): string | undefined {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      return errorMessage(error);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      return `not JSON: ${errorMessage(error)}`;
    }
    const parsed = fileSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return `not a paired-chats file (${issue?.path.join('.') || 'top level'}: ${issue?.message})`;
    }
    for (const chat of parsed.data.chats) this.chats.set(chat.id, chat);
    for (const [chat, until] of Object.entries(parsed.data.muted ?? {})) this.muted.set(chat, until);
    return undefined;
  }

  private moveDamagedAside(): void {
    try {
      renameSync(this.file, this.damagedCopy);
    } catch (error) {
      // Gone meanwhile: nothing to keep.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
}
