import { z } from 'zod';

export const webhookTargetSchema = z
  .object({
    url: z.url().describe('Endpoint the notification is POSTed to as JSON; never logged with credentials.'),
    headers: z
      .record(z.string(), z.string())
      .default({})
      .describe('Extra request headers (`Authorization: Bearer ...`); never logged.'),
    format: z
      .enum(['text', 'markdown'])
      .default('text')
      .describe('How template values are escaped: `markdown` for Slack- or Mattermost-style hooks.'),
  })
  .strict();

export type WebhookTargetConfig = z.output<typeof webhookTargetSchema>;
