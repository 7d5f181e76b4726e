/**
 * Chats added by pairing, kept in a small JSON file so they survive restarts. Written whole to a
 * temporary file and renamed, so a crash mid-write leaves the previous list, never half of one.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';

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

  /** Reads `file` if it exists; a file that is not ours is an error, not an empty list. */
  constructor(private readonly file: string) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    const parsed = fileSchema.safeParse(JSON.parse(text));
    if (!parsed.success)
      throw new Error(`${file}: not a paired-chats file (${parsed.error.issues[0]?.message})`);
    for (const chat of parsed.data.chats) this.chats.set(chat.id, chat);
  }

  has(chat: number): boolean {
    return this.chats.has(chat);
  }

  list(): PairedChat[] {
    return [...this.chats.values()];
  }

  add(chat: PairedChat): void {
    this.chats.set(chat.id, chat);
    mkdirSync(dirname(this.file), { recursive: true });
    const temporary = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify({ chats: this.list() }, null, 2)}\n`, { mode: 0o600 });
    renameSync(temporary, this.file);
  }
}
