/**
 * The routing tree's config: flat routes parse as before; mistakes in the tree are errors that name
 * the place and the reason (a topic on a route of the tree, a filter instead of matchers, a target or
 * time interval that is not defined, two routes with one path, a bad time zone or time of day).
 */
import { describe, expect, it } from 'vitest';
import { notifiersSchema, type NotifiersConfigInput } from '../../notifiers/config.js';
import { treeRoutes } from '../../notifiers/router/tree-routes.js';

const services = { log: { main: {}, other: {} } };

function problems(input: Partial<NotifiersConfigInput>): string[] {
  const result = notifiersSchema.safeParse({ enabled: true, services, ...input });
  return result.success
    ? []
    : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

describe('routing tree config', () => {
  it('keeps a flat route as it was, and makes each route of the tree complete', () => {
    const config = notifiersSchema.parse({
      enabled: true,
      services,
      routes: [
        { name: 'flat', topic: 'busbar/notify/#', targets: ['log:main'] },
        {
          name: 'db',
          matchers: { team: 'db' },
          title: 'db: {payload.summary}',
          targets: ['log:main'],
          routes: [{ name: 'pager', priority: 'high', routes: [{ name: 'night', targets: ['log:other'] }] }],
        },
      ],
    });
    expect(config.routes[0]).toMatchObject({ name: 'flat', topic: 'busbar/notify/#', title: '{summary}' });
    expect(
      treeRoutes(config.routes).map(({ name, targets, title, priority }) => ({
        name,
        targets,
        title,
        priority,
      })),
    ).toEqual([
      { name: 'db', targets: ['log:main'], title: 'db: {payload.summary}', priority: 'normal' },
      { name: 'db/pager', targets: ['log:main'], title: 'db: {payload.summary}', priority: 'high' },
      { name: 'db/pager/night', targets: ['log:other'], title: 'db: {payload.summary}', priority: 'high' },
    ]);
  });

  it('names the place and the reason of each mistake', () => {
    expect(
      problems({
        timeIntervals: { office: [{ times: [{ start: '09:00', end: '17:00' }] }] },
        routes: [
          { name: 'a', targets: ['log:main'] },
          { name: 'b', topic: 'x/#', matchers: { team: 'db' }, targets: ['log:main'] },
          { name: 'c', matchers: {}, filter: { severity: ['critical'] }, targets: ['log:main'] },
          {
            name: 'd',
            matchers: {},
            targets: ['log:main'],
            muteTimeIntervals: ['weekend'],
            routes: [{ name: 'e', targets: ['log:nobody'], activeTimeIntervals: ['office'] }],
          },
          { name: 'd', matchers: {}, targets: ['log:main'] },
        ],
      }),
    ).toEqual([
      'routes.0.topic: a route needs a `topic`, or `matchers`/`routes` to be part of the routing tree',
      'routes.1.topic: a route of the routing tree takes grouped alarms, not a topic: leave `topic` out',
      'routes.2.filter: a route of the routing tree selects alarms with `matchers`, not `filter`',
      'routes.3.routes.0.targets.0: no target log:nobody is defined',
      'routes.3.muteTimeIntervals.0: no time interval "weekend" under notifiers.timeIntervals',
      'routes: two routes of the tree have the path d',
    ]);
    expect(
      problems({
        timeIntervals: {
          bad: [
            { weekdays: ['funday'], times: [{ start: '18:00', end: '09:00' }], location: 'Mars/Olympus' },
          ],
        },
      }),
    ).toEqual([
      'timeIntervals.bad.0.weekdays.0: a weekday (`monday`) or a range (`monday:friday`)',
      'timeIntervals.bad.0.times.0: start must come before end',
      'timeIntervals.bad.0.location: "Mars/Olympus" is not a time zone (IANA names such as Europe/Paris, or UTC)',
    ]);
  });
});
