/**
 * Gotify (https://gotify.net/api-docs, POST /message): the application token in the
 * X-Gotify-Key header, a JSON body of title, message and priority (0-10; the Android app sounds
 * from 4 and pops up from 8).
 */
import { z } from 'zod';
import { base, secret } from '../http/preset-options.js';
import { presetService } from '../http/service.js';

const gotifyOptions = z
  .object({
    url: z.url().describe('Gotify server.'),
    token: secret("The application's token"),
  })
  .strict();

export const gotifyService = presetService('gotify', gotifyOptions, (options) => ({
  url: `${base(options.url)}/message`,
  headers: { 'X-Gotify-Key': options.token },
  body: { title: '{title}', message: '{message}', priority: '{level}' },
  levels: { critical: 8, warning: 5, info: 2, resolved: 2 },
}));
