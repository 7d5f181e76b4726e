/**
 * Mattermost incoming webhook (https://developers.mattermost.com/integrate/webhooks/incoming/): a
 * JSON body with `text` in Markdown (values escaped for it), optionally `channel` and `username`.
 */
import { z } from 'zod';
import { hookUrl } from '../http/preset-options.js';
import { presetService } from '../http/service.js';

const mattermostOptions = z
  .object({
    url: hookUrl('Incoming webhook URL (`https://chat.example.org/hooks/...`)'),
    channel: z.string().min(1).optional().describe("Channel name instead of the hook's own (`town-square`)."),
    username: z.string().min(1).optional().describe("Sender name shown instead of the hook's."),
  })
  .strict();

export const mattermostService = presetService('mattermost', mattermostOptions, (options) => ({
  url: options.url,
  format: 'markdown',
  body: {
    text: '#### {title}\n{message}',
    ...(options.channel === undefined ? {} : { channel: options.channel }),
    ...(options.username === undefined ? {} : { username: options.username }),
  },
}));
