/**
 * PagerDuty Events API v2 (https://developer.pagerduty.com/docs/events-api-v2/trigger-events/):
 * POST /v2/enqueue. A firing is a `trigger` and a resolution a `resolve` with the same `dedup_key`
 * (the alarm group's key), so the resolution resolves the incident the firing opened; repeats of a
 * firing group are deduplicated into it. PagerDuty answers 202.
 */
import { z } from 'zod';
import { base, secret, serverUrl } from '../http/preset-options.js';
import { presetService } from '../http/service.js';

const pagerdutyOptions = z
  .object({
    routingKey: secret("The Events API v2 integration's routing key"),
    source: z
      .string()
      .min(1)
      .default('busbar')
      .describe('`payload.source`: the affected system; may be a template (`{payload.labels.source}`).'),
    url: serverUrl('Events API.', 'https://events.pagerduty.com'),
  })
  .strict();

export const pagerdutyService = presetService('pagerduty', pagerdutyOptions, (options) => ({
  url: `${base(options.url)}/v2/enqueue`,
  body: {
    routing_key: options.routingKey,
    event_action: 'trigger',
    dedup_key: '{key}',
    client: 'busbar',
    payload: { summary: '{title}', source: options.source, severity: '{level}', custom_details: '{payload}' },
  },
  resolved: { body: { routing_key: options.routingKey, event_action: 'resolve', dedup_key: '{key}' } },
  limits: { 'payload.summary': 1024, dedup_key: 255 },
  // PagerDuty's severities are critical, error, warning and info.
  levels: { critical: 'critical', warning: 'warning', info: 'info' },
}));
