/**
 * Discord webhook (https://discord.com/developers/docs/resources/webhook#execute-webhook): one
 * embed with the title, the message as its description (Markdown, values escaped for it) and a
 * colour per severity. `allowed_mentions` is empty so no value can ping @everyone. Discord answers
 * 204.
 */
import { z } from 'zod';
import { hookUrl } from '../http/preset-options.js';
import { presetService } from '../http/service.js';

const discordOptions = z
  .object({
    url: hookUrl('Webhook URL (`https://discord.com/api/webhooks/ID/TOKEN`)'),
    username: z.string().min(1).optional().describe("Sender name shown instead of the webhook's."),
  })
  .strict();

export const discordService = presetService('discord', discordOptions, (options) => ({
  url: options.url,
  format: 'markdown',
  body: {
    ...(options.username === undefined ? {} : { username: options.username }),
    embeds: [{ title: '{title}', description: '{message}', color: '{level}' }],
    allowed_mentions: { parse: [] },
  },
  limits: { 'embeds.0.title': 256, 'embeds.0.description': 4096 },
  // Red, orange, blue; green for a resolution.
  levels: { critical: 0xe01e1e, warning: 0xf0a020, info: 0x3498db, resolved: 0x2ecc71 },
}));
