/**
 * Telegram through the Bot API (sendMessage, HTML). Alarm messages carry inline buttons that the bot
 * (notifiers.bot, same token) answers. The router owns retries and the timeout, so the library's own
 * retries are off; errors are rethrown without the token, which is part of every Bot API URL.
 */
import { Api } from 'node-telegram-bot-api';
import { describeError } from '../../bot/redact.js';
import type { NotifierService } from '../service.js';
import { alarmButtons } from './buttons.js';
import { telegramTargetSchema, type TelegramTargetConfig } from './config.js';

/** Notifications whose reached chats are remembered while they are retried. */
const MAX_REMEMBERED = 1_000;

/** Telegram refuses longer texts. */
export const MAX_MESSAGE_LENGTH = 4096;

export class TelegramSendError extends Error {
  override readonly name = 'TelegramSendError';
}

export const telegramService: NotifierService<TelegramTargetConfig> = {
  name: 'telegram',
  schema: telegramTargetSchema,
  create({ config }) {
    // The notifiers schema fills in the bot's token; an empty one fails each send, clearly.
    const token = config.token ?? '';
    const api = token ? new Api(token, { apiRoot: config.apiRoot, maxRetries: 0 }) : undefined;
    // Chats a notification already reached, so the router's retry after a later chat failed does
    // not send it to the earlier ones again. Bounded: the oldest entries go first.
    const reached = new Map<string, Set<string | number>>();
    return {
      format: 'html',
      async send(notification, signal) {
        if (!api) throw new TelegramSendError('no bot token for this telegram target');
        const html = notification.title
          ? `<b>${notification.title}</b>\n${notification.message}`
          : notification.message;
        // HTML cannot be cut safely (an entity or a tag split in two is refused): too long goes plain.
        const plainText = notification.plain.title
          ? `${notification.plain.title}\n${notification.plain.message}`
          : notification.plain.message;
        const fits = html.length <= MAX_MESSAGE_LENGTH;
        const markup = config.buttons ? alarmButtons(notification.payload) : undefined;
        let done = reached.get(notification.id);
        if (!done) {
          done = new Set();
          reached.set(notification.id, done);
          if (reached.size > MAX_REMEMBERED) reached.delete(reached.keys().next().value!);
        }
        for (const chat of config.chats) {
          if (done.has(chat)) continue;
          try {
            await api.sendMessage(
              {
                chat_id: chat,
                text: fits ? html : plainText.slice(0, MAX_MESSAGE_LENGTH),
                ...(fits ? { parse_mode: 'HTML' } : {}),
                link_preview_options: { is_disabled: true },
                ...(markup ? { reply_markup: markup } : {}),
              },
              signal,
            );
          } catch (error) {
            throw new TelegramSendError(`telegram chat ${chat}: ${describeError(error, token)}`);
          }
          done.add(chat);
        }
        reached.delete(notification.id);
      },
    };
  },
};
