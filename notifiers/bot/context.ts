/** What every command gets: where to answer, what to answer from, and who asks. */
import type { Bus } from '../../core/bus.js';
import type { Logger } from '../../core/logger.js';
import type { Topics } from '../../core/topics.js';
import type { BotData } from './data.js';

export interface CommandContext {
  readonly data: BotData;
  readonly bus: Bus;
  readonly topics: Topics;
  readonly log: Logger;
  /** Milliseconds since the epoch, when the request arrived. */
  readonly now: number;
  readonly chat: number;
  readonly user: { readonly id: number; readonly username?: string | undefined } | undefined;
  /** Sends HTML (Telegram's HTML parse mode). */
  reply(html: string): Promise<void>;
  replyPhoto(png: Buffer, captionHtml: string): Promise<void>;
}

export type Command = (context: CommandContext, args: readonly string[]) => Promise<void>;
