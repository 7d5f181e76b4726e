/**
 * Silences: "do not notify about alarms matching these labels until then". Alertmanager's model:
 * a silence mutes notifications, never the alarm itself, whose state stays published (retained).
 * Who shows or sends alarms matches them against the active silences with compileLabelMatchers: the
 * notification stage, the notifier routes on the state topics, the web (`silencedBy`) and the bot.
 *
 * One writer: the alarms component owns the list, keeps it in its state file and publishes each
 * active silence retained on <base>/silences/<id> (empty payload: expired or removed). Everyone else
 * (CLI, bot, web, any MQTT client) asks with a request on <base>/control/silences and watches the
 * silence topic for the answer (silence-client.ts).
 */
import { z } from 'zod';
import { parseDuration } from '../config/duration.js';
import type { AlarmMessage } from './alarm.js';
import { compileMatcher, type Matcher } from './match.js';

/** A silence id is a topic level: short, no separators. */
export const silenceIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, `_`, `.` and `-`, at most 64')
  .describe('Silence id (a topic level).');

/**
 * Label → matcher (`*` wildcards). Labels are an alarm's: `rule`, `series`, `severity`, `source`,
 * `measurement`, `field` and every tag; and `alarm`, which matches when the rule name, the series,
 * the source or `<rule>/<series>` matches (what a person types after SILENCE).
 */
export const silenceMatchersSchema = z
  .record(z.string().min(1), z.string().min(1))
  .refine((matchers) => Object.keys(matchers).length > 0, 'at least one label matcher')
  .describe('Label → value or `*` pattern; an alarm is silenced when every matcher matches.');

/** An active silence, as published on <base>/silences/<id> and kept in the state file. */
export const silenceSchema = z
  .object({
    id: silenceIdSchema,
    matchers: silenceMatchersSchema,
    /** ISO 8601. */
    createdAt: z.string(),
    /** ISO 8601: the silence ends (and is removed) then. */
    endsAt: z.string(),
    createdBy: z.string().default(''),
    comment: z.string().default(''),
  })
  .strict();

export type Silence = z.output<typeof silenceSchema>;

const durationText = z.string().refine((text) => {
  try {
    return parseDuration(text) > 0;
  } catch {
    return false;
  }
}, 'a duration such as `30m`, `2h`, `1d`');

/** A request on <base>/control/silences. */
export const silenceRequestSchema = z.discriminatedUnion('action', [
  z
    .object({
      action: z.literal('add'),
      /** Chosen by the requester so it can watch <base>/silences/<id> for the answer. */
      id: silenceIdSchema,
      matchers: silenceMatchersSchema,
      /** How long from now; or `endsAt`. */
      duration: durationText.optional(),
      endsAt: z.iso.datetime({ offset: true }).optional(),
      createdBy: z.string().max(200).default(''),
      comment: z.string().max(1000).default(''),
    })
    .strict()
    .refine((request) => (request.duration === undefined) !== (request.endsAt === undefined), {
      message: 'give exactly one of `duration` and `endsAt`',
    }),
  z.object({ action: z.literal('remove'), id: silenceIdSchema }).strict(),
]);

export type SilenceRequest = z.input<typeof silenceRequestSchema>;

/**
 * Why a request is invalid, in one line (`duration: a duration such as …`): the first problem zod
 * found, with its path. The alarms component refuses with it and the client checks with it first.
 */
export function requestProblem(error: z.ZodError): string {
  const issue = error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  return `${where}${issue?.message ?? 'invalid request'}`;
}

/** The silence a valid `add` request makes at `now`. */
export function silenceFromRequest(
  request: Extract<z.output<typeof silenceRequestSchema>, { action: 'add' }>,
  now: number,
): Silence {
  const endsAt =
    request.duration !== undefined ? now + parseDuration(request.duration) : Date.parse(request.endsAt!);
  return {
    id: request.id,
    matchers: request.matchers,
    createdAt: new Date(now).toISOString(),
    endsAt: new Date(endsAt).toISOString(),
    createdBy: request.createdBy,
    comment: request.comment,
  };
}

/** The labels a silence (or an inhibition rule) is matched against. */
export function alarmLabels(
  alarm: Pick<AlarmMessage, 'rule' | 'series' | 'severity' | 'labels'>,
): Record<string, string> {
  return { ...alarm.labels, rule: alarm.rule, series: alarm.series, severity: alarm.severity };
}

export type LabelPredicate = (
  alarm: Pick<AlarmMessage, 'rule' | 'series' | 'severity' | 'labels'>,
) => boolean;

/**
 * Compiles label matchers (silences, inhibition rules); `alarm` is the loose pseudo-label. A list of
 * patterns matches when any of them does.
 */
export function compileLabelMatchers(
  matchers: Readonly<Record<string, string | readonly string[]>>,
): LabelPredicate {
  const compiled: [string, Matcher][] = Object.entries(matchers).map(([label, pattern]) => {
    if (typeof pattern === 'string') return [label, compileMatcher(pattern)];
    const any = pattern.map(compileMatcher);
    return [label, (value: string) => any.some((match) => match(value))];
  });
  return (alarm) => {
    const labels = alarmLabels(alarm);
    return compiled.every(([label, match]) => {
      if (label === 'alarm') {
        return (
          match(alarm.rule) ||
          match(alarm.series) ||
          match(labels.source ?? '') ||
          match(`${alarm.rule}/${alarm.series}`)
        );
      }
      const value = labels[label];
      return value !== undefined && match(value);
    });
  };
}

/** A short random id for a new silence. */
export function newSilenceId(): string {
  return `s-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
