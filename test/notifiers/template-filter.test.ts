/** Item 1: filters on topic levels, payload fields and severity; templates escaped per format. */
import { describe, expect, it } from 'vitest';
import { notifiersSchema, routeSchema } from '../../notifiers/config.js';
import { compileRouteFilter } from '../../notifiers/router/filter.js';
import { compileMessageTemplate } from '../../notifiers/router/template.js';

const values = (topic: string, payload: unknown): { topic: string; levels: string[]; payload: unknown } => ({
  topic,
  levels: topic.split('/'),
  payload,
});

describe('templates', () => {
  const template = compileMessageTemplate('{topic[1]} on {topic}: {payload.who} ({payload.n.v})');

  it('fills topic levels and payload fields', () => {
    const rendered = template.render(values('home/door/open', { who: 'Ann', n: { v: 3 } }), 'text');
    expect(rendered).toBe('door on home/door/open: Ann (3)');
  });

  it('escapes values, not the template, for HTML and markdown targets', () => {
    const bold = compileMessageTemplate('<b>{payload.who}</b>');
    const input = values('home/door/open', { who: '<script>x</script> & *y*' });
    expect(bold.render(input, 'html')).toBe('<b>&lt;script&gt;x&lt;/script&gt; &amp; *y*</b>');
    expect(bold.render(input, 'markdown')).toBe('<b>\\<script\\>x\\</script\\> & \\*y\\*</b>');
    expect(bold.render(input, 'plain')).toBe('<b><script>x</script> & *y*</b>');
  });

  it('renders a missing field as empty and a non-JSON payload as its text', () => {
    const text = compileMessageTemplate('[{payload.none}] {payload}');
    expect(text.render(values('a/b', 'plain words'), 'text')).toBe('[] plain words');
  });

  it('lists the alarms of a grouped notification or an alarm with {alarms}, escaped', () => {
    const list = compileMessageTemplate('{payload.summary}\n{alarms}');
    // As the alarms component publishes them (alarms/alarm.ts, alarms/notification.ts).
    const alarm = (state: string, summary: string, extra: Record<string, unknown> = {}) => ({
      rule: 'disk',
      series: 'web1.disk.used_percent',
      state,
      since: '2026-11-25T10:00:00.000Z',
      labels: { source: 'web1' },
      summary,
      ...extra,
    });
    const group = {
      group: 'rule=disk',
      status: 'firing',
      summary: '2 firing, 1 resolved: disk on web1, web2',
      alarms: [
        alarm('firing', 'disk on web1 is 95 > 90 <root>'),
        alarm('firing', 'link on sw1 changes', { flapping: true }),
        alarm('resolved', 'disk on web2 is back to 70'),
      ],
    };
    expect(list.render(values('busbar/notify/rule=disk', group), 'html')).toBe(
      [
        '2 firing, 1 resolved: disk on web1, web2',
        '[FIRING] disk on web1 is 95 &gt; 90 &lt;root&gt;',
        '[FLAPPING] link on sw1 changes',
        '[RESOLVED] disk on web2 is back to 70',
      ].join('\n'),
    );
    const one = compileMessageTemplate('{alarms}');
    expect(one.render(values('busbar/alarms/a/b', alarm('firing', 'x is 1')), 'text')).toBe(
      '[FIRING] x is 1',
    );
    expect(one.render(values('home/door/open', { who: 'Ann' }), 'text')).toBe('');
  });

  it('rejects an unknown placeholder at config time, naming it', () => {
    const result = routeSchema.safeParse({
      name: 'r',
      topic: 'a/#',
      message: '{paylod.x}',
      targets: ['log:a'],
    });
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toContain('unknown value \\"{paylod.x}\\"');
  });
});

describe('route filters', () => {
  const route = (filter: unknown): ReturnType<typeof compileRouteFilter> =>
    compileRouteFilter(routeSchema.parse({ name: 'r', topic: 'home/+/+', filter, targets: ['log:a'] }));

  it('matches the topic filter first', () => {
    const match = route({});
    expect(match('home/door/open', ['home', 'door', 'open'], {})).toBe(true);
    expect(match('home/door', ['home', 'door'], {})).toBe(false);
  });

  it('filters on topic levels with `*` patterns', () => {
    const match = route({ levels: { '1': 'door*', '2': 'open' } });
    expect(match('home/door2/open', ['home', 'door2', 'open'], {})).toBe(true);
    expect(match('home/window/open', ['home', 'window', 'open'], {})).toBe(false);
    expect(match('home/door/closed', ['home', 'door', 'closed'], {})).toBe(false);
  });

  it('filters on payload fields (dotted paths, values or patterns) and on severity', () => {
    const match = route({
      fields: { state: 'firing', 'labels.host': 'web*', count: 2 },
      severity: ['critical'],
    });
    const topic = 'home/a/b';
    const levels = topic.split('/');
    const payload = { state: 'firing', labels: { host: 'web1' }, count: 2, severity: 'critical' };
    expect(match(topic, levels, payload)).toBe(true);
    expect(match(topic, levels, { ...payload, severity: 'warning' })).toBe(false);
    expect(match(topic, levels, { ...payload, state: 'resolved' })).toBe(false);
    expect(match(topic, levels, { ...payload, count: '2' })).toBe(false);
    expect(match(topic, levels, 'not json')).toBe(false);
  });
});

describe('notifiers config', () => {
  it('refuses a route naming a target that is not defined', () => {
    const result = notifiersSchema.safeParse({
      services: { log: { audit: {} } },
      routes: [{ name: 'r', topic: '#', targets: ['log:audit', 'email:ops'], failover: ['webhook:x'] }],
    });
    expect(result.success).toBe(false);
    const messages = result.error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    expect(messages).toEqual([
      'routes.0.targets.1: no target "ops" under notifiers.services.email',
      'routes.0.failover.0: no target "x" under notifiers.services.webhook',
    ]);
  });

  it('refuses a route that would receive its own MQTT republish', () => {
    const result = notifiersSchema.safeParse({
      services: { mqtt: { echo: { topic: 'home/notify' } } },
      routes: [{ name: 'r', topic: 'home/#', targets: ['mqtt:echo'] }],
    });
    expect(result.error?.issues.map((issue) => issue.message)).toEqual([
      'mqtt:echo publishes on home/notify, which this route listens to (a loop)',
    ]);
  });

  it('refuses unknown keys in a target', () => {
    const result = notifiersSchema.safeParse({ services: { file: { f: { path: 'x', mode: 1 } } } });
    expect(result.success).toBe(false);
  });
});
