/**
 * The noise-control parts of the `alarms` section: how alarm changes become grouped notifications
 * (Alertmanager's group wait, group interval, repeat interval), flapping detection, inhibition rules
 * and silences written in the config file. Imported by alarms/config.ts; these defaults are stated
 * here and only here.
 */
import { z } from 'zod';
import { duration } from '../../config/duration.js';
import { silenceIdSchema, silenceMatchersSchema } from '../silence.js';

const labelName = z.string().min(1);

/** One label value pattern (`*` wildcards), or a list of them of which any may match. */
const labelMatcher = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

export const labelMatchersSchema = z
  .record(labelName, labelMatcher)
  .describe(
    'Label → value, `*` pattern or list of them. Labels: rule, series, severity, source, measurement, field, each tag; `alarm` matches rule, series or source.',
  );

export const notifySchema = z
  .object({
    groupBy: z
      .array(labelName)
      .default(['rule'])
      .describe(
        'Alarms with equal values of these labels go out in one notification; `[...]` sends each alarm on its own.',
      ),
    groupWait: duration
      .prefault('30s')
      .describe('A new group waits this long for more alarms before its first notification.'),
    groupInterval: duration
      .prefault('5m')
      .describe('After a notification, changes to the group are collected this long before the next.'),
    repeatInterval: duration
      .prefault('4h')
      .describe('Alarms still firing are notified again after this long without news.'),
    resolved: z.boolean().default(true).describe('Notify when notified alarms resolve.'),
    flapping: z
      .object({
        changes: z
          .number()
          .int()
          .min(0)
          .default(6)
          .describe('State changes within `window` that make an alarm flapping (0: never).'),
        window: duration.prefault('1h').describe('The window state changes are counted in.'),
      })
      .strict()
      .prefault({})
      .describe(
        'A flapping alarm is notified once as flapping, then held back until it has changed fewer than half as often.',
      ),
  })
  .strict();

export const inhibitRuleSchema = z
  .object({
    when: labelMatchersSchema.describe('Matchers of a firing alarm that mutes others (a PDU, a switch).'),
    suppress: labelMatchersSchema.describe(
      'Matchers of the alarms it mutes (the machines behind it); a value may be a list of patterns.',
    ),
    equal: z
      .array(labelName)
      .default([])
      .describe('Labels that must have the same value on both alarms (`rack`, `pdu`).'),
  })
  .strict();

export const configSilenceSchema = z
  .object({
    id: silenceIdSchema.optional().describe('Silence id (a topic level). Default: `config-<index>`.'),
    matchers: silenceMatchersSchema,
    until: z.iso
      .datetime({ offset: true })
      .optional()
      .describe('ISO 8601 end; without it the silence lasts while it is in the config.'),
    comment: z.string().default('').describe('Why, shown with the silence.'),
  })
  .strict();

export type NotifyConfig = z.output<typeof notifySchema>;
export type InhibitRule = z.output<typeof inhibitRuleSchema>;
export type ConfigSilence = z.output<typeof configSilenceSchema>;
export type LabelMatchers = z.output<typeof labelMatchersSchema>;
