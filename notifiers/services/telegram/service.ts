/**
 * Telegram through the Bot API (sendMessage, HTML). Alarm messages carry inline buttons that the bot
 * (notifiers.bot, same token) answers. The router owns retries and the timeout, so the library's own
 * retries are off; errors are rethrown without the token, which is part of every Bot API URL. A 429
 * carries `parameters.retry_after`, which the router waits out; any other 4xx (a chat that does not
 * exist, a bot blocked or removed) is a permanent refusal; 5xx and network failures are transient.
 */
import { Api, TelegramApiError } from 'node-telegram-bot-api';
import { botApiFetch } from '../../bot/api-fetch.js';
import { describeError } from '../../bot/redact.js';
import { SendError } from '../send-error.js';
import type { NotifierService } from '../service.js';
import { alarmButtons } from './buttons.js';
import { telegramTargetSchema, type TelegramTargetConfig } from './config.js';

/** Notifications whose reached chats are remembered while they are retried. */
const MAX_REMEMBERED = 1_000;

/** Telegram refuses longer texts. */
export const MAX_MESSAGE_LENGTH = 4096;

/** The Bot API's answer as a SendError, its text without the token. */
function sendError(chat: string | number, error: unknown, token: string): SendError {
  const message = `telegram chat ${chat}: ${describeError(error, token)}`;
  if (!(error instanceof TelegramApiError)) return new SendError(message);
  const retryAfter = error.retryAfter;
  if (error.errorCode === 429) {
    return new SendError(message, { retryAfterMs: retryAfter === undefined ? undefined : retryAfter * 1000 });
  }
  return new SendError(message, { permanent: error.errorCode >= 400 && error.errorCode < 500 });
}

export const telegramService: NotifierService<TelegramTargetConfig> = {
  name: 'telegram',
  schema: telegramTargetSchema,
  create({ config }) {
    // The notifiers schema fills in the bot's token; an empty one fails each send, clearly.
    const token = config.token ?? '';
    const api = token
      ? new Api(token, { apiRoot: config.apiRoot, maxRetries: 0, fetch: botApiFetch })
      : undefined;
    // Chats a notification already reached, so the router's retry after a later chat failed does
    // not send it to the earlier ones again. Bounded: the oldest entries go first.
    const reached = new Map<string, Set<string | number>>();
    return {
      format: 'html',
      async send(notification, signal) {
        if (!api) throw new SendError('no bot token for this telegram target', { permanent: true });
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
            throw sendError(chat, error, token);
          }
          done.add(chat);
        }
        reached.delete(notification.id);
      },
    };
  },
};
