/**
 * HTTP POST of the notification as JSON. The body carries `text` (title and message, as Slack- and
 * Mattermost-style incoming webhooks expect) next to the structured fields. A 4xx answer is a
 * permanent refusal except 408 and 429 (whose `Retry-After` seconds the router waits out).
 */
import { HttpStatusError } from '../http-status-error.js';
import type { NotifierService } from '../service.js';
import { webhookTargetSchema, type WebhookTargetConfig } from './config.js';

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
          throw new HttpStatusError(
            `webhook answered HTTP ${response.status}`,
            response.status,
            response.headers.get('retry-after'),
          );
      },
    };
  },
};
