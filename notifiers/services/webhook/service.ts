/**
 * HTTP POST of the notification as JSON. The body carries `text` (title and message, as Slack- and
 * Mattermost-style incoming webhooks expect) next to the structured fields. A 4xx answer is a
 * permanent refusal except 408 and 429 (whose `Retry-After` seconds the router waits out).
 */
import { SendError } from '../send-error.js';
import type { NotifierService } from '../service.js';
import { webhookTargetSchema, type WebhookTargetConfig } from './config.js';

export class WebhookError extends SendError {
  constructor(
    message: string,
    readonly status: number,
    retryAfterMs: number | undefined,
  ) {
    const transient = status === 408 || status === 429 || status >= 500;
    super(message, { permanent: !transient, retryAfterMs });
  }
}

/** `Retry-After` in seconds (the HTTP-date form is rare for webhooks and read as absent). */
function retryAfterMs(header: string | null): number | undefined {
  const seconds = header === null ? NaN : Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
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
          throw new WebhookError(
            `webhook answered HTTP ${response.status}`,
            response.status,
            retryAfterMs(response.headers.get('retry-after')),
          );
      },
    };
  },
};
