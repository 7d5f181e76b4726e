import { z } from 'zod';
import { apiRoot, botToken, chatId } from '../../bot/config.js';

export const telegramTargetSchema = z
  .object({
    token: botToken.optional().describe('Bot token; default: notifiers.bot.token. Never logged.'),
    chats: z.array(chatId).min(1).describe('Chats each notification is sent to.'),
    apiRoot,
    buttons: z
      .boolean()
      .default(true)
      .describe(
        'Alarm messages carry "Silence 1 h" and "Graph" buttons (only with notifiers.bot enabled, which answers them).',
      ),
  })
  .strict();

export type TelegramTargetConfig = z.output<typeof telegramTargetSchema>;
