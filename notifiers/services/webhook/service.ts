/**
 * HTTP POST of the notification as JSON. The body carries `text` (title and message, as Slack- and
 * Mattermost-style incoming webhooks expect) next to the structured fields.
 */
import type { NotifierService } from '../service.js';
import { webhookTargetSchema, type WebhookTargetConfig } from './config.js';

export class WebhookError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'WebhookError';
  }
}

export const webhookService: NotifierService<WebhookTargetConfig> = {
  name: 'webhook',
  schema: webhookTargetSchema,
  create({ config }) {
    return {
      format: config.format,
      async send(notification, signal) {
        const { id, route, topic, title, message, priority, payload } = notification;
        const text = title ? `${title}\n${message}` : message;
        const body = JSON.stringify({ text, id, route, topic, title, message, priority, payload });
        const response = await fetch(config.url, {
          method: 'POST',
          headers: { ...config.headers, 'content-type': 'application/json' },
          body,
          signal,
        });
        // Drain the body so the connection can be reused; its text is not logged (it may echo secrets).
        await response.arrayBuffer();
        if (!response.ok)
          // The URL is left out: Slack- and Mattermost-style hooks carry their token in the path.
          throw new WebhookError(`webhook answered HTTP ${response.status}`, response.status);
      },
    };
  },
};
