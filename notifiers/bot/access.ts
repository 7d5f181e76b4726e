/** Who the bot answers: chats and users on the allow-list, and chats added by pairing. */
import type { PairedChats } from './paired-chats.js';

export interface AllowList {
  readonly chats: readonly (number | string)[];
  readonly users: readonly number[];
}

export class AccessControl {
  private readonly chats: Set<string>;
  private readonly users: Set<number>;

  constructor(
    allow: AllowList,
    private readonly paired: PairedChats,
  ) {
    this.chats = new Set(allow.chats.map(String));
    this.users = new Set(allow.users);
  }

  /** A chat is allowed by its id (or `@name` for channels), or its sender by user id. */
  allows(chat: { id: number; username?: string | undefined } | undefined, user: number | undefined): boolean {
    if (user !== undefined && this.users.has(user)) return true;
    if (!chat) return false;
    if (this.chats.has(String(chat.id)) || this.paired.has(chat.id)) return true;
    return chat.username !== undefined && this.chats.has(`@${chat.username}`);
  }
}
