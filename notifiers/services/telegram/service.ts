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
import { splitMessage } from '../../bot/send.js';
import { readPairedChatsFile, receives, type PairedChatsFile } from '../../bot/paired-chats.js';
import { payloadAlarms } from '../../alarm-payload.js';
import { statSync } from 'node:fs';
import { SendError } from '../send-error.js';
import type { NotifierService } from '../service.js';
import { alarmButtons } from './buttons.js';
import { telegramTargetSchema, type TelegramTargetConfig } from './config.js';

/** Notifications whose reached chats are remembered while they are retried. */
const MAX_REMEMBERED = 1_000;

/** Telegram refuses longer texts. */
export const MAX_MESSAGE_LENGTH = 4096;
/** Messages one notification becomes at most; beyond, the last ends with "… and N more lines". */
export const MAX_PARTS = 20;

/** The bot's paired-chats file, read again only when it changed (the bot writes it, whole). */
class ChatsFile {
  private stamp = '';
  private content: PairedChatsFile | undefined;

  constructor(private readonly path: string) {}

  read(): PairedChatsFile | undefined {
    let stamp: string;
    try {
      const stat = statSync(this.path);
      stamp = `${stat.mtimeMs}:${stat.size}:${stat.ino}`;
    } catch {
      return undefined;
    }
    if (stamp !== this.stamp) {
      this.content = readPairedChatsFile(this.path);
      this.stamp = stamp;
    }
    return this.content;
  }
}

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
    // Chats (and parts of a long text) a notification already reached, so the router's retry after a later chat failed does
    // not send it to the earlier ones again. Bounded: the oldest entries go first.
    const reached = new Map<string, Set<string>>();
    const chatsFile =
      config.pairedChatsFile === undefined ? undefined : new ChatsFile(config.pairedChatsFile);
    /** The configured chats, then the paired ones that chose this payload; none muted. */
    const recipients = (payload: unknown): (string | number)[] => {
      const file = chatsFile?.read();
      const now = Date.now();
      const muted = (chat: string | number): boolean => {
        const until = file?.muted?.[String(chat)];
        return until !== undefined && Date.parse(until) > now;
      };
      const alarms = payloadAlarms(payload)?.alarms.map((alarm) => ({
        severity: alarm.severity,
        source: alarm.labels.source,
      }));
      const paired = (file?.chats ?? [])
        .filter((chat) => !config.chats.includes(chat.id) && receives(chat.receive, alarms))
        .map((chat) => chat.id);
      return [...config.chats, ...paired].filter((chat) => !muted(chat));
    };
    return {
      format: 'html',
      async send(notification, signal) {
        if (!api) throw new SendError('no bot token for this telegram target', { permanent: true });
        const html = notification.title
          ? `<b>${notification.title}</b>\n${notification.message}`
          : notification.message;
        // Cut at line breaks, tags closed and reopened across a cut (a 150-alarm group is several messages).
        const parts = splitMessage(html, MAX_MESSAGE_LENGTH, MAX_PARTS);
        const markup = config.buttons ? alarmButtons(notification.payload) : undefined;
        let done = reached.get(notification.id);
        if (!done) {
          done = new Set();
          reached.set(notification.id, done);
          if (reached.size > MAX_REMEMBERED) reached.delete(reached.keys().next().value!);
        }
        for (const chat of recipients(notification.payload)) {
          for (const [index, text] of parts.entries()) {
            // A retry goes on from the first part this chat did not get.
            const key = `${chat}#${index}`;
            if (done.has(key)) continue;
            const last = index === parts.length - 1;
            try {
              await api.sendMessage(
                {
                  chat_id: chat,
                  text,
                  parse_mode: 'HTML',
                  link_preview_options: { is_disabled: true },
                  ...(markup && last ? { reply_markup: markup } : {}),
                },
                signal,
              );
            } catch (error) {
              throw sendError(chat, error, token);
            }
            done.add(key);
          }
        }
        reached.delete(notification.id);
      },
    };
  },
};
