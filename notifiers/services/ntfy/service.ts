/**
 * ntfy (https://docs.ntfy.sh/publish/): published as JSON to the server's root URL, which takes
 * the topic, title, message, priority (1-5) and tags in the body. JSON rather than the
 * Title/Priority/Tags headers, because a title is UTF-8 text and headers are not.
 */
import { z } from 'zod';
import { base, secret, serverUrl } from '../http/preset-options.js';
import { presetService } from '../http/service.js';

const ntfyOptions = z
  .object({
    url: serverUrl('ntfy server.', 'https://ntfy.sh'),
    topic: z
      .string()
      .regex(/^[-_A-Za-z0-9]{1,64}$/, 'letters, digits, `-` and `_`')
      .describe('Topic to publish to.'),
    token: secret('Access token (`tk_...`), for a protected topic').optional(),
  })
  .strict();

export const ntfyService = presetService('ntfy', ntfyOptions, (options) => ({
  url: `${base(options.url)}/`,
  ...(options.token === undefined ? {} : { headers: { Authorization: `Bearer ${options.token}` } }),
  body: {
    topic: options.topic,
    title: '{title}',
    message: '{message}',
    priority: '{level}',
    // Tag names that are emoji shortcodes show as emoji: `warning` as ⚠️.
    tags: ['{severity}', '{status}'],
  },
  // 5 max (a long vibration), 3 the default, 2 low (no sound).
  levels: { critical: 5, warning: 4, info: 3, resolved: 2 },
}));
