/**
 * The `notifiers` section of the config file: named targets per service, routes from topics to
 * targets, and delivery settings. Imported by config/schema.ts; every notifier default is here.
 */
import { z } from 'zod';
import { duration } from '../config/duration.js';
import { filterProblem, topicMatches } from '../core/topic-match.js';
import { compileMessageTemplate } from './router/template.js';
import { serviceEntries, services, type ServiceName } from './services/index.js';
import { botSchema } from './bot/config.js';
import { labelMatchersSchema } from '../alarms/dispatch/config.js';
import { isTreeRoute, treePaths } from '../alarms/dispatch/route-tree.js';
import { timeIntervalsSchema } from '../alarms/dispatch/time-intervals.js';

const targetName = z.string().regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, `_`, `.` and `-`');

const matcher = z
  .string()
  .min(1)
  .describe('Exact value, or a pattern where `*` matches any run of characters.');

const template = z
  .string()
  .superRefine((text, ctx) => {
    const problem = compileMessageTemplate(text).problem;
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .describe(
    'Text with `{topic}`, `{topic[N]}` (0-based level), `{payload}`, `{payload.a.b}`, `{alarms}`, `{summary}` and `{details}` values.',
  );

/** A target reference: `<service>:<name>` (`email:ops`, `webhook:mattermost`). */
const targetRef = z
  .string()
  .regex(/^[a-z]+:[A-Za-z0-9_.-]+$/, '`<service>:<target>`, e.g. `email:ops`')
  .describe('`<service>:<target>`, a target defined under notifiers.services.');

const intervalNames = z.array(targetName).optional();

/**
 * What makes a route part of the routing tree (alarms/dispatch/route-tree.ts): how alarms match it and
 * are grouped there. A child route inherits the grouping settings it leaves out from its parent.
 */
const treeFields = {
  matchers: labelMatchersSchema
    .optional()
    .describe('Routing tree: alarm labels this route takes (as silences match); absent: every alarm.'),
  continue: z
    .boolean()
    .optional()
    .describe('Routing tree: after this route matched, go on trying its later siblings (default false).'),
  groupBy: z
    .array(z.string().min(1))
    .optional()
    .describe("Routing tree: this route's `groupBy` (default: the parent's; the root's is alarms.notify)."),
  groupWait: duration.optional().describe("Routing tree: this route's `groupWait` (default: the parent's)."),
  groupInterval: duration
    .optional()
    .describe("Routing tree: this route's `groupInterval` (default: the parent's)."),
  repeatInterval: duration
    .optional()
    .describe("Routing tree: this route's `repeatInterval` (default: the parent's)."),
  muteTimeIntervals: intervalNames.describe(
    'Routing tree: names of `timeIntervals` during which this route sends nothing (not inherited).',
  ),
  activeTimeIntervals: intervalNames.describe(
    'Routing tree: names of `timeIntervals` outside which this route sends nothing (not inherited).',
  ),
};

/** A child route as parsed (durations in ms); every setting it leaves out is its parent's. */
export interface ChildRouteConfig {
  name: string;
  targets?: string[] | undefined;
  failover?: string[] | undefined;
  title?: string | undefined;
  message?: string | undefined;
  priority?: 'low' | 'normal' | 'high' | undefined;
  matchers?: Record<string, string | string[]> | undefined;
  continue?: boolean | undefined;
  groupBy?: string[] | undefined;
  groupWait?: number | undefined;
  groupInterval?: number | undefined;
  repeatInterval?: number | undefined;
  muteTimeIntervals?: string[] | undefined;
  activeTimeIntervals?: string[] | undefined;
  routes?: ChildRouteConfig[] | undefined;
}

/** A child route as written (durations as text or ms). */
export type ChildRouteInput = Omit<
  ChildRouteConfig,
  'groupWait' | 'groupInterval' | 'repeatInterval' | 'routes'
> & {
  groupWait?: string | number | undefined;
  groupInterval?: string | number | undefined;
  repeatInterval?: string | number | undefined;
  routes?: ChildRouteInput[] | undefined;
};

const childRoutes = (): z.ZodOptional<z.ZodArray<z.ZodType<ChildRouteConfig, ChildRouteInput>>> =>
  z
    .array(childRouteSchema)
    .optional()
    .describe(
      'Routing tree: child routes, tried in order; the first that matches takes the alarm. Keys a child leaves unset come from its parent.',
    );

/** A child route: every setting it leaves out, targets and templates included, is its parent's. */
export const childRouteSchema: z.ZodType<ChildRouteConfig, ChildRouteInput> = z.lazy(() =>
  z
    .object({
      name: targetName.describe('Route name; its path (`parent/child`) names its notifications.'),
      targets: z.array(targetRef).min(1).optional().describe("Targets; default: the parent's."),
      failover: z.array(targetRef).optional().describe("Failover targets; default: the parent's."),
      title: template.optional().describe("Title template; default: the parent's."),
      message: template.optional().describe("Message template; default: the parent's."),
      priority: z.enum(['low', 'normal', 'high']).optional().describe("Default: the parent's."),
      ...treeFields,
      routes: childRoutes(),
    })
    .strict(),
);

export const routeSchema = z
  .object({
    name: targetName.describe('Route name, used in logs and notification ids.'),
    topic: z
      .string()
      .superRefine((filter, ctx) => {
        const problem = filterProblem(filter);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .optional()
      .describe(
        'MQTT topic filter the route listens to (`home/+/open`, `busbar/alarms/#`); routes of the tree have none.',
      ),
    filter: z
      .object({
        levels: z
          .record(z.string().regex(/^\d+$/, 'a 0-based level index'), matcher)
          .default({})
          .describe('Topic level index → matcher; every level named must match.'),
        fields: z
          .record(z.string(), z.union([matcher, z.number(), z.boolean()]))
          .default({})
          .describe('Payload field (dotted path) → value or matcher; every field named must match.'),
        severity: z
          .array(z.enum(['info', 'warning', 'critical']))
          .optional()
          .describe("Only payloads whose `severity` is one of these (alarm JSON's severity)."),
      })
      .strict()
      .prefault({})
      .describe('Conditions beyond the topic filter; all must hold.'),
    title: template.default('{summary}'),
    message: template.default('{details}'),
    priority: z
      .enum(['low', 'normal', 'high'])
      .default('normal')
      .describe('Passed to targets (webhook body, MQTT republish, file line).'),
    targets: z.array(targetRef).min(1).describe('Targets each matching message is sent to.'),
    failover: z
      .array(targetRef)
      .default([])
      .describe(
        'Targets used, in order, while a primary target cannot deliver; each new notification starts at the primary again.',
      ),
    sendSilenced: z
      .boolean()
      .default(false)
      .describe(
        'Also send alarm state changes (`busbar/alarms/#`) that an active silence matches (an audit log).',
      ),
    ...treeFields,
    routes: childRoutes(),
  })
  .strict()
  .superRefine((route, ctx) => {
    const tree = isTreeRoute(route);
    if (!tree && route.topic === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['topic'],
        message: 'a route needs a `topic`, or `matchers`/`routes` to be part of the routing tree',
      });
    }
    if (tree && route.topic !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['topic'],
        message: 'a route of the routing tree takes grouped alarms, not a topic: leave `topic` out',
      });
    }
    const { levels, fields, severity } = route.filter;
    if (tree && (Object.keys(levels).length > 0 || Object.keys(fields).length > 0 || severity)) {
      ctx.addIssue({
        code: 'custom',
        path: ['filter'],
        message: 'a route of the routing tree selects alarms with `matchers`, not `filter`',
      });
    }
  });

export const deliverySchema = z
  .object({
    queueSize: z.number().int().min(1).default(1000).describe('Notifications waiting per target at most.'),
    retries: z
      .number()
      .int()
      .min(0)
      .default(3)
      .describe(
        'Retries at one target before the next failover target takes over; without one, retried until maxAge.',
      ),
    retryInitial: duration
      .prefault('1s')
      .describe('Delay before the first retry; doubles (with jitter) up to retryMax.'),
    retryMax: duration.prefault('1m').describe('Longest delay between retries.'),
    maxAge: duration
      .prefault('12h')
      .describe(
        'A notification not delivered within this long is dead: dead-lettered, counted, logged, raised as an alarm.',
      ),
    timeout: duration.prefault('15s').describe('One attempt is abandoned after this.'),
    ratePerMinute: z.number().positive().default(30).describe('Sends per target and minute at most.'),
    burst: z.number().int().min(1).default(10).describe('Sends allowed at once before the rate applies.'),
  })
  .strict();

export const notifiersSchema = z
  .object({
    enabled: z.boolean().default(false).describe('Run the notification router.'),
    externalUrl: z
      .url()
      .optional()
      .describe(
        "The web console's address as people reach it (`https://busbar.example.com`): messages link to its pages.",
      ),
    recordPath: z
      .string()
      .min(1)
      .default('data/notifications.db')
      .describe(
        'SQLite file recording pending, delivered and dead notifications, so a restart neither loses nor repeats them.',
      ),
    services: z
      .object({
        ...targetsOf(serviceEntries),
      })
      .strict()
      .prefault({})
      .describe('Named targets per service.'),
    routes: z
      .array(routeSchema)
      .default([])
      .describe('Routes from topic filters to targets, and the routing tree of grouped alarms.'),
    timeIntervals: timeIntervalsSchema,
    delivery: deliverySchema.prefault({}).describe('Queue, retry and rate settings of every target.'),
    targetDelivery: z
      .record(targetRef, z.record(z.string(), z.unknown()))
      .default({})
      .describe(
        'Per target, changes to `delivery` (`telegram:ops: { ratePerMinute: 20 }`); the rest comes from `delivery`.',
      ),
    bot: botSchema.prefault({}).describe('Telegram bot answering STATUS, GRAPH, ALARMS, SILENCE.'),
  })
  .strict()
  .superRefine((config, ctx) => {
    if (config.bot.enabled && !config.enabled) {
      ctx.addIssue({
        code: 'custom',
        path: ['bot', 'enabled'],
        message: 'the bot runs inside the notifiers: set notifiers.enabled: true too',
      });
    }
    for (const [name, target] of Object.entries(config.services.telegram)) {
      if (target.chats.length === 0 && !target.paired) {
        ctx.addIssue({
          code: 'custom',
          path: ['services', 'telegram', name, 'chats'],
          message: 'no `chats` and not `paired`: this target would reach nobody',
        });
      }
      if (target.token === undefined && config.bot.token === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['services', 'telegram', name, 'token'],
          message: 'no `token` here and none under notifiers.bot.token to default to',
        });
      }
    }
    for (const [ref, change] of Object.entries(config.targetDelivery)) {
      if (!targetDefined(config, ref)) {
        ctx.addIssue({
          code: 'custom',
          path: ['targetDelivery', ref],
          message: `no target ${ref} is defined`,
        });
      }
      const merged = deliverySchema.safeParse({ ...config.delivery, ...change });
      for (const issue of merged.success ? [] : merged.error.issues) {
        ctx.addIssue({
          code: 'custom',
          path: ['targetDelivery', ref, ...issue.path],
          message: issue.message,
        });
      }
    }
    checkTree(config, ctx);
    config.routes.forEach((route, index) => {
      for (const key of ['targets', 'failover'] as const) {
        route[key].forEach((ref, at) => {
          const [service = '', name = ''] = ref.split(':');
          if (!targetDefined(config, ref)) {
            ctx.addIssue({
              code: 'custom',
              path: ['routes', index, key, at],
              message: `no target "${name}" under notifiers.services.${service}`,
            });
          }
          // A republish the route itself would match again would notify forever.
          const republish = service === 'mqtt' ? config.services.mqtt[name]?.topic : undefined;
          if (republish !== undefined && route.topic !== undefined && topicMatches(route.topic, republish)) {
            ctx.addIssue({
              code: 'custom',
              path: ['routes', index, key, at],
              message: `mqtt:${name} publishes on ${republish}, which this route listens to (a loop)`,
            });
          }
        });
      }
    });
  })
  // A Telegram target without its own token sends with the bot's, so buttons reach the bot.
  .transform((config) => {
    const telegram = Object.fromEntries(
      Object.entries(config.services.telegram).map(([name, target]) => [
        name,
        // Buttons nobody answers would spin forever in the chat: only with the bot on.
        {
          ...target,
          token: target.token ?? config.bot.token,
          buttons: target.buttons && config.bot.enabled,
          // Paired chats are the bot's: only a target sending with its token can reach them.
          ...(target.paired && config.bot.enabled && (target.token ?? config.bot.token) === config.bot.token
            ? { pairedChatsFile: config.bot.statePath }
            : {}),
        },
      ]),
    );
    // Parsed output is valid input (durations in ms), so each target's changes merge onto `delivery`.
    const targetDelivery = Object.fromEntries(
      Object.entries(config.targetDelivery).map(([ref, change]) => [
        ref,
        deliverySchema.parse({ ...config.delivery, ...change }),
      ]),
    );
    return { ...config, services: { ...config.services, telegram }, targetDelivery };
  });

/** The named targets of each service in `entries`, as the services object lists them. */
function targetsOf<S extends Record<string, { service: { schema: z.ZodType }; targets: string }>>(
  entries: S,
): { [K in keyof S]: z.ZodDefault<z.ZodRecord<typeof targetName, S[K]['service']['schema']>> } {
  return Object.fromEntries(
    Object.entries(entries).map(([name, entry]) => [
      name,
      z.record(targetName, entry.service.schema).default({}).describe(entry.targets),
    ]),
  ) as { [K in keyof S]: z.ZodDefault<z.ZodRecord<typeof targetName, S[K]['service']['schema']>> };
}

/**
 * The routes of the tree: their targets exist, the time intervals they name are defined, and no two
 * routes have one path (it names their notifications).
 */
function checkTree(
  config: {
    services: Record<ServiceName, Record<string, unknown>>;
    routes: readonly RouteConfig[];
    timeIntervals: Record<string, unknown>;
  },
  ctx: z.RefinementCtx,
): void {
  const walk = (route: ChildRouteConfig, path: (string | number)[]): void => {
    for (const key of ['targets', 'failover'] as const) {
      (route[key] ?? []).forEach((ref, at) => {
        if (!targetDefined(config, ref)) {
          ctx.addIssue({ code: 'custom', path: [...path, key, at], message: `no target ${ref} is defined` });
        }
      });
    }
    for (const key of ['muteTimeIntervals', 'activeTimeIntervals'] as const) {
      (route[key] ?? []).forEach((name, at) => {
        if (!(name in config.timeIntervals)) {
          ctx.addIssue({
            code: 'custom',
            path: [...path, key, at],
            message: `no time interval "${name}" under notifiers.timeIntervals`,
          });
        }
      });
    }
    (route.routes ?? []).forEach((child, at) => walk(child, [...path, 'routes', at]));
  };
  config.routes.forEach((route, index) => {
    // A top-level route's own targets are checked with the flat routes'.
    (route.routes ?? []).forEach((child, at) => walk(child, ['routes', index, 'routes', at]));
    walk(
      {
        name: route.name,
        muteTimeIntervals: route.muteTimeIntervals,
        activeTimeIntervals: route.activeTimeIntervals,
      },
      ['routes', index],
    );
  });
  const seen = new Set<string>();
  for (const path of treePaths(config.routes.filter(isTreeRoute))) {
    if (seen.has(path)) {
      ctx.addIssue({
        code: 'custom',
        path: ['routes'],
        message: `two routes of the tree have the path ${path}`,
      });
    }
    seen.add(path);
  }
}

/** Whether `<service>:<name>` names a target defined under notifiers.services. */
function targetDefined(
  config: { services: Record<ServiceName, Record<string, unknown>> },
  ref: string,
): boolean {
  const [service = '', name = ''] = ref.split(':');
  return service in services && name in config.services[service as ServiceName];
}

export type NotifiersConfig = z.output<typeof notifiersSchema>;
export type NotifiersConfigInput = z.input<typeof notifiersSchema>;
export type RouteConfig = z.output<typeof routeSchema>;
export type DeliveryConfig = z.output<typeof deliverySchema>;
