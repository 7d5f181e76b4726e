/**
 * Opsgenie Alert API (https://docs.opsgenie.com/docs/alert-api): a firing creates an alert
 * (POST /v2/alerts) whose `alias` is the alarm group's key; a resolution closes it by that alias
 * (POST /v2/alerts/{alias}/close?identifierType=alias). The API key goes in
 * `Authorization: GenieKey ...`. Opsgenie answers 202; an alias already open is deduplicated.
 */
import { z } from 'zod';
import { base, secret, serverUrl } from '../http/preset-options.js';
import { presetService } from '../http/service.js';

const opsgenieOptions = z
  .object({
    apiKey: secret("The API integration's key"),
    url: serverUrl(
      'Alert API (`https://api.eu.opsgenie.com` for the EU instance).',
      'https://api.opsgenie.com',
    ),
  })
  .strict();

export const opsgenieService = presetService('opsgenie', opsgenieOptions, (options) => ({
  url: `${base(options.url)}/v2/alerts`,
  headers: { Authorization: `GenieKey ${options.apiKey}` },
  body: {
    message: '{title}',
    alias: '{key}',
    description: '{message}',
    priority: '{level}',
    source: 'busbar',
    tags: ['{severity}'],
  },
  resolved: {
    url: `${base(options.url)}/v2/alerts/{key}/close?identifierType=alias`,
    body: { source: 'busbar', note: '{message}' },
  },
  // Opsgenie's documented limits.
  limits: { message: 130, alias: 512, description: 15000 },
  levels: { critical: 'P1', warning: 'P3', info: 'P5' },
}));
