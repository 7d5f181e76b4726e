/**
 * Microsoft Teams through a Workflows (Power Automate) webhook, "Post to a channel when a webhook
 * request is received": a message whose one attachment is an Adaptive Card
 * (https://learn.microsoft.com/microsoftteams/platform/webhooks-and-connectors/how-to/connectors-using).
 * The title in bold, coloured by severity; the message below. The workflow answers 202.
 */
import { z } from 'zod';
import { hookUrl } from '../http/preset-options.js';
import { presetService } from '../http/service.js';

const teamsOptions = z.object({ url: hookUrl("The workflow's HTTP POST URL") }).strict();

export const teamsService = presetService('teams', teamsOptions, (options) => ({
  url: options.url,
  body: {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body: [
            {
              type: 'TextBlock',
              text: '{title}',
              weight: 'Bolder',
              size: 'Medium',
              wrap: true,
              color: '{level}',
            },
            { type: 'TextBlock', text: '{message}', wrap: true },
          ],
        },
      },
    ],
  },
  // Adaptive Card text colours.
  levels: { critical: 'Attention', warning: 'Warning', info: 'Accent', resolved: 'Good' },
}));
