/** What every command gets: where to answer, what to answer from, and who asks. */
import type { Bus } from '../../core/bus/bus.js';
import type { Logger } from '../../core/runtime/logger.js';
import type { Topics } from '../../core/topics.js';
import type { BotData } from './data.js';
import type { PairedChats } from './paired-chats.js';

export interface CommandContext {
  readonly data: BotData;
  /** Paired chats and every chat's notification choices (STOP, MUTE, RECEIVE). */
  readonly paired: PairedChats;
  readonly bus: Bus;
  readonly topics: Topics;
  readonly log: Logger;
  /** Milliseconds since the epoch, when the request arrived. */
  readonly now: number;
  readonly chat: number;
  readonly user: { readonly id: number; readonly username?: string | undefined } | undefined;
  /** Sends HTML (Telegram's HTML parse mode). */
  reply(html: string): Promise<void>;
  /**
   * Sends a chart; when the photo cannot be sent, says why and sends `fallbackHtml` instead (a
   * text chart: notifiers/bot/text-chart.ts).
   */
  replyPhoto(png: Buffer, captionHtml: string, fallbackHtml: string): Promise<void>;
  /** The web console's address as people reach it (notifiers.externalUrl), for links. */
  readonly externalUrl: string | undefined;
}

export type Command = (context: CommandContext, args: readonly string[]) => Promise<void>;
