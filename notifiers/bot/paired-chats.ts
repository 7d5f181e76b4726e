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
import { writeFileAtomicallySync } from '../../core/atomic-file.js';
import { z } from 'zod';
import { errorMessage } from '../../core/errors.js';

const fileSchema = z.object({
  chats: z.array(
    z.object({
      id: z.number().int(),
      pairedAt: z.string(),
      user: z.number().int().optional(),
      username: z.string().optional(),
    }),
  ),
});

export type PairedChat = z.output<typeof fileSchema>['chats'][number];

export class PairedChats {
  private readonly chats = new Map<number, PairedChat>();
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

  add(chat: PairedChat): void {
    this.chats.set(chat.id, chat);
    if (this.damagedReason !== undefined) {
      this.moveDamagedAside();
      this.damagedReason = undefined;
    }
    writeFileAtomicallySync(this.file, `${JSON.stringify({ chats: this.list() }, null, 2)}\n`, 0o600);
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
