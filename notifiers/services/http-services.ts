/**
 * The templated HTTP service and its presets, with what each one's targets are for; notifiers/
 * config.ts lists their targets under `notifiers.services` through services/index.ts.
 */
import { discordService } from './discord/service.js';
import { gotifyService } from './gotify/service.js';
import { httpService } from './http/service.js';
import { matrixService } from './matrix/service.js';
import { mattermostService } from './mattermost/service.js';
import { ntfyService } from './ntfy/service.js';
import { opsgenieService } from './opsgenie/service.js';
import { pagerdutyService } from './pagerduty/service.js';
import { pushoverService } from './pushover/service.js';
import { slackService } from './slack/service.js';
import { teamsService } from './teams/service.js';

export const httpServices = {
  http: {
    service: httpService,
    targets: 'HTTP targets by name (a templated request: method, URL, headers, body).',
  },
  ntfy: { service: ntfyService, targets: 'ntfy targets by name (a topic on ntfy.sh or your server).' },
  gotify: { service: gotifyService, targets: 'Gotify targets by name (an application on a Gotify server).' },
  pushover: {
    service: pushoverService,
    targets: 'Pushover targets by name (an application and a user key).',
  },
  slack: { service: slackService, targets: 'Slack targets by name (incoming webhooks).' },
  mattermost: { service: mattermostService, targets: 'Mattermost targets by name (incoming webhooks).' },
  discord: { service: discordService, targets: 'Discord targets by name (channel webhooks).' },
  teams: {
    service: teamsService,
    targets: 'Microsoft Teams targets by name (Workflows webhooks, Adaptive Cards).',
  },
  matrix: { service: matrixService, targets: 'Matrix targets by name (a room, client-server API).' },
  pagerduty: {
    service: pagerdutyService,
    targets: 'PagerDuty targets by name (Events API v2: trigger, and resolve on resolution).',
  },
  opsgenie: {
    service: opsgenieService,
    targets: 'Opsgenie targets by name (Alert API: create, and close on resolution).',
  },
} as const;
