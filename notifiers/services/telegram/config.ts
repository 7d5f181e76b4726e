import { z } from 'zod';
import { apiRoot, botToken, chatId } from '../../bot/config.js';

export const telegramTargetSchema = z
  .object({
    token: botToken.optional().describe('Bot token; default: notifiers.bot.token. Never logged.'),
    chats: z
      .array(chatId)
      .default([])
      .describe('Chats each notification is sent to (besides paired chats, with `paired`).'),
    paired: z
      .boolean()
      .default(false)
      .describe(
        "Also send to the chats paired with the bot (`/start CODE`), each as it chose (RECEIVE); needs notifiers.bot and the bot's token.",
      ),
    apiRoot,
    buttons: z
      .boolean()
      .default(true)
      .describe(
        'Alarm messages carry "Silence 1 h", "Ack" and "Graph" buttons (only with notifiers.bot enabled, which answers them).',
      ),
  })
  .strict();

export type TelegramTargetConfig = z.output<typeof telegramTargetSchema> & {
  /** The bot's paired-chats file, filled in by the notifiers config when `paired` applies. */
  readonly pairedChatsFile?: string | undefined;
};
