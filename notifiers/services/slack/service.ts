/**
 * Slack incoming webhook (https://api.slack.com/messaging/webhooks): a JSON body with `text`, in
 * Slack's mrkdwn (values with `&`, `<`, `>` escaped); the title in bold. Slack answers 200 "ok".
 */
import { z } from 'zod';
import { hookUrl } from '../http/preset-options.js';
import { presetService } from '../http/service.js';

const slackOptions = z
  .object({ url: hookUrl('Incoming webhook URL (`https://hooks.slack.com/services/...`)') })
  .strict();

export const slackService = presetService('slack', slackOptions, (options) => ({
  url: options.url,
  // Values escaped as Slack asks: a `<!channel>` in a label is shown, it pings nobody.
  format: 'slack',
  body: { text: '*{title}*\n{message}' },
  // Slack truncates longer messages; cut here the result is at least marked.
  limits: { text: 40000 },
}));
