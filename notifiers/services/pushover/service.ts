/**
 * Pushover (https://pushover.net/api, POST /1/messages.json): form fields token, user, title,
 * message and priority (-2..2). Emergency (2) is left out: it needs retry/expire and an
 * acknowledgement Pushover tracks itself; 1 already bypasses quiet hours.
 */
import { z } from 'zod';
import { base, secret, serverUrl } from '../http/preset-options.js';
import { presetService } from '../http/service.js';

const pushoverOptions = z
  .object({
    token: secret("The application's API token"),
    user: secret('User or group key'),
    device: z.string().min(1).optional().describe('Only this device of the user.'),
    url: serverUrl('Pushover API.', 'https://api.pushover.net'),
  })
  .strict();

export const pushoverService = presetService('pushover', pushoverOptions, (options) => ({
  url: `${base(options.url)}/1/messages.json`,
  encoding: 'form',
  body: {
    token: options.token,
    user: options.user,
    ...(options.device === undefined ? {} : { device: options.device }),
    title: '{title}',
    message: '{message}',
    priority: '{level}',
  },
  // Pushover refuses longer ones.
  limits: { title: 250, message: 1024 },
  levels: { critical: 1, warning: 0, info: -1, resolved: -1 },
}));
