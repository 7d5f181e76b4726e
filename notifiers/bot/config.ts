/** The `notifiers.bot` section: the Telegram bot that answers STATUS, GRAPH, ALARMS and SILENCE. */
import { z } from 'zod';
import { duration } from '../../config/duration.js';

export const DEFAULT_STATE_PATH = 'data/telegram.json';

/**
 * The file keeping the grouped notifications' buttons working across restarts: beside the paired
 * chats, `data/telegram.json` → `data/telegram-groups.json`.
 */
export function groupsPathFor(statePath: string): string {
  const dot = statePath.lastIndexOf('.');
  const slash = Math.max(statePath.lastIndexOf('/'), statePath.lastIndexOf('\\'));
  const stem = dot > slash + 1 ? statePath.slice(0, dot) : statePath;
  return `${stem}-groups.json`;
}

export const DEFAULT_API_ROOT = 'https://api.telegram.org';

/** A Telegram bot token as BotFather hands it out (`123456:ABC-...`). */
export const botToken = z
  .string()
  .regex(/^\d+:[A-Za-z0-9_-]+$/, 'a bot token from BotFather, `<digits>:<letters, digits, _ and ->`')
  .describe('Bot token from BotFather; never logged (use `${TELEGRAM_TOKEN}`).');

export const apiRoot = z
  .url()
  .default(DEFAULT_API_ROOT)
  .describe('Bot API server (a local Bot API server, or a fake one in tests).');

/** A chat id (a number; negative for groups) or a public `@channelname`. */
export const chatId = z.union([
  z.number().int(),
  z.string().regex(/^@\w{4,}$/, 'a chat id or `@channelname`'),
]);

export const botSchema = z
  .object({
    enabled: z
      .boolean()
      .default(false)
      .describe('Run the Telegram bot (long polling); needs notifiers.enabled.'),
    token: botToken.optional(),
    apiRoot,
    allow: z
      .object({
        chats: z.array(chatId).default([]).describe('Chat ids answered (groups are negative).'),
        users: z.array(z.number().int()).default([]).describe('User ids answered in any chat.'),
      })
      .strict()
      .prefault({})
      .describe('Who the bot answers; everyone else gets a one-line refusal, logged.'),
    pairing: z
      .boolean()
      .default(true)
      .describe('Print a one-time code at start; `/start CODE` from a chat adds it to the allowed chats.'),
    pairingTtl: duration.prefault('1h').describe('A pairing code expires after this; a new one is printed.'),
    statePath: z
      .string()
      .min(1)
      .default(DEFAULT_STATE_PATH)
      .describe(
        "JSON file of the paired chats; grouped notifications' buttons are kept beside it (`<name>-groups.json`).",
      ),
    pollTimeout: duration
      .prefault('30s')
      .refine((ms) => ms >= 1000 && ms <= 50_000, 'between 1s and 50s (Telegram holds a poll up to 50 s)')
      .describe('How long one getUpdates request waits for updates (long polling).'),
  })
  .strict()
  .refine((bot) => !bot.enabled || bot.token !== undefined, {
    path: ['token'],
    message: 'the bot needs a `token` when enabled (from BotFather)',
  });

export type BotConfig = z.output<typeof botSchema>;
