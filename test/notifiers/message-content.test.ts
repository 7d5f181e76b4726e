/**
 * What a message says with no template configured: the route's defaults `{summary}` (title) and
 * `{details}` (message) per format, from alarm payloads as the alarms component publishes them.
 */
import { describe, expect, it } from 'vitest';
import type { AlarmMessage } from '../../alarms/alarm.js';
import type { AlarmNotification } from '../../alarms/notification.js';
import { routeSchema } from '../../notifiers/config.js';
import { spokenDuration } from '../../notifiers/router/alarm-details.js';
import { compileMessageTemplate, type TemplateValues } from '../../notifiers/router/template.js';

const EXTERNAL_URL = 'https://busbar.example:8080/';
const FIRED = Date.parse('2026-12-07T03:10:05Z');
const RESOLVED = FIRED + 12 * 60_000;

function alarm(state: 'firing' | 'resolved', extra: Partial<AlarmMessage> = {}): AlarmMessage {
  return {
    rule: 'disk_used',
    series: 'web1.disk.used_percent{path=/}',
    state,
    severity: 'critical',
    value: state === 'firing' ? 93 : 85,
    threshold: 90,
    baseline: null,
    since: new Date(state === 'firing' ? FIRED : RESOLVED).toISOString(),
    firedAt: new Date(FIRED).toISOString(),
    labels: { source: 'web1', measurement: 'disk', field: 'used_percent', path: '/' },
    summary:
      state === 'firing' ? 'disk used on web1 is 93, above 90' : 'disk used on web1 is 85, back below 88',
    runbook: 'https://wiki.example.org/runbooks/disk_used',
    ...extra,
  };
}

function group(alarms: AlarmMessage[]): AlarmNotification {
  return {
    id: 'n1',
    group: 'rule=disk_used',
    labels: { rule: 'disk_used' },
    status: 'firing',
    reason: 'new',
    firing: alarms.length,
    resolved: 0,
    alarms,
    summary: `${alarms.length} firing: disk used on web1`,
    time: new Date(FIRED).toISOString(),
  };
}

const route = routeSchema.parse({ name: 'r', topic: 'busbar/#', targets: ['log:x'] });
const title = compileMessageTemplate(route.title);
const message = compileMessageTemplate(route.message);

function values(topic: string, payload: unknown, linked = true): TemplateValues {
  return { topic, levels: topic.split('/'), payload, externalUrl: linked ? EXTERNAL_URL : undefined };
}

function occurrences(text: string, part: string): number {
  return text.split(part).length - 1;
}

describe('default title', () => {
  it("is the alarm's summary, never its topic", () => {
    const topic = 'busbar/alarms/disk_used/web1.disk.used_percent{path=/}';
    expect(title.render(values(topic, alarm('firing')), 'plain')).toBe('disk used on web1 is 93, above 90');
  });

  it("is a grouped notification's summary", () => {
    const topic = 'busbar/notify/rule=disk_used';
    expect(title.render(values(topic, group([alarm('firing')])), 'plain')).toBe(
      '1 firing: disk used on web1',
    );
  });

  it('is the topic for a message that is no alarm, whose payload is the message', () => {
    const input = values('home/door/open', { who: 'Ann' });
    expect(title.render(input, 'plain')).toBe('home/door/open');
    expect(message.render(input, 'plain')).toBe('{"who":"Ann"}');
  });
});

describe('default message', () => {
  it('says severity, value and threshold, start, labels, the chart link and the runbook (text)', () => {
    const text = message.render(values('busbar/alarms/x', alarm('firing')), 'text');
    expect(text.split('\n')).toEqual([
      '[FIRING] critical disk used on web1 is 93, above 90',
      'Value 93, threshold 90',
      'Since 2026-12-07 03:10:05 UTC',
      'Labels: source=web1, measurement=disk, field=used_percent, path=/',
      // An hour before it started, to now while it fires (web/pages/source-js.ts reads from/to).
      `Chart: https://busbar.example:8080/source/web1?from=${FIRED - 3_600_000}&to=now`,
      'Runbook: https://wiki.example.org/runbooks/disk_used',
    ]);
  });

  it('says how long a resolved alarm lasted, and its chart ends after it', () => {
    const text = message.render(values('busbar/alarms/x', alarm('resolved')), 'text');
    expect(text).toContain('[RESOLVED] critical disk used on web1 is 85, back below 88');
    expect(text).toContain('Started 2026-12-07 03:10:05 UTC, resolved after 12 min');
    expect(text).toContain(`source/web1?from=${FIRED - 3_600_000}&to=${RESOLVED + 15 * 60_000}`);
  });

  it('lists each alarm of a group once, and nothing about a chart without externalUrl', () => {
    const second = alarm('firing', {
      series: 'web2.disk.used_percent{path=/}',
      labels: { source: 'web2' },
      summary: 'disk used on web2 is 95, above 90',
    });
    const text = message.render(values('busbar/notify/g', group([alarm('firing'), second]), false), 'text');
    expect(occurrences(text, 'disk used on web1 is 93, above 90')).toBe(1);
    expect(occurrences(text, 'disk used on web2 is 95, above 90')).toBe(1);
    expect(text).not.toContain('Chart');
    expect(occurrences(text, 'Runbook: https://wiki.example.org/runbooks/disk_used')).toBe(2);
  });

  it('in HTML: state and severity in bold, links as anchors, every payload value escaped', () => {
    const hostile = alarm('firing', {
      summary: 'disk <b>used</b> & "full"',
      labels: { source: 'we<b1' },
      runbook: 'https://wiki.example.org/?a=1&b="2"',
    });
    const html = message.render(values('busbar/alarms/x', hostile), 'html');
    expect(html).toContain('<b>[FIRING] critical</b> disk &lt;b&gt;used&lt;/b&gt; &amp; &quot;full&quot;');
    expect(html).toContain('Labels: source=we&lt;b1');
    expect(html).toContain(
      `<a href="https://busbar.example:8080/source/we%3Cb1?from=${FIRED - 3_600_000}&amp;to=now">Chart</a>`,
    );
    expect(html).toContain('<a href="https://wiki.example.org/?a=1&amp;b=&quot;2&quot;">Runbook</a>');
    expect(html).not.toContain('<b>used');
  });

  it('in Markdown: bold state, escaped summary, links with their label', () => {
    const md = message.render(
      values('busbar/alarms/x', alarm('firing', { summary: 'disk_used *93*' })),
      'markdown',
    );
    // Brackets escaped too: the state comes from the payload.
    expect(md).toContain('**\\[FIRING\\] critical** disk\\_used \\*93\\*');
    expect(md).toContain(`[Chart](https://busbar.example:8080/source/web1?from=${FIRED - 3_600_000}&to=now)`);
    expect(md).toContain('[Runbook](https://wiki.example.org/runbooks/disk_used)');
  });

  it('in Slack mrkdwn: only `&`, `<`, `>` escaped, so a `<!channel>` label pings nobody; links as <url|label>', () => {
    const hostile = alarm('firing', {
      summary: 'disk <!channel> & *93*',
      labels: { source: 'web1', team: '<!here>' },
      runbook: 'https://wiki.example.org/?a=1&b=<2>|x',
    });
    const slack = message.render(values('busbar/alarms/x', hostile), 'slack');
    expect(slack).toContain('*[FIRING] critical* disk &lt;!channel&gt; &amp; *93*');
    expect(slack).toContain('team=&lt;!here&gt;');
    expect(slack).not.toMatch(/<!(channel|here)>/);
    expect(slack).toContain(
      `<https://busbar.example:8080/source/web1?from=${FIRED - 3_600_000}&amp;to=now|Chart>`,
    );
    expect(slack).toContain('<https://wiki.example.org/?a=1&amp;b=%3C2%3E%7Cx|Runbook>');
    // The template's own markup stays: a title in bold is the route's, not a value's.
    expect(compileMessageTemplate('*{summary}*').render(values('busbar/alarms/x', hostile), 'slack')).toBe(
      '*disk &lt;!channel&gt; &amp; *93**',
    );
  });

  it('says who acknowledged a firing alarm of a group, and when, escaped like every value', () => {
    const acknowledged = { by: 'web:<ann>', at: new Date(FIRED + 60_000).toISOString(), comment: 'on it' };
    const payload = group([{ ...alarm('firing'), acknowledged } as AlarmMessage, alarm('firing')]);
    const text = message.render(values('busbar/notify/g', payload), 'text');
    expect(text.split('\n\n').map((block) => block.split('\n')[3])).toEqual([
      'Acknowledged by web:<ann> at 2026-12-07 03:11:05 UTC: on it',
      'Labels: source=web1, measurement=disk, field=used_percent, path=/',
    ]);
    expect(message.render(values('busbar/notify/g', payload), 'html')).toContain(
      'Acknowledged by web:&lt;ann&gt; at 2026-12-07 03:11:05 UTC: on it',
    );
    // A template reaches it too.
    expect(
      compileMessageTemplate('{payload.alarms.0.acknowledged.by}').render(
        values('busbar/notify/g', payload),
        'text',
      ),
    ).toBe('web:<ann>');
  });

  it('{alarms} stays one line per alarm', () => {
    const lines = compileMessageTemplate('{alarms}').render(
      values('busbar/notify/g', group([alarm('firing')])),
      'text',
    );
    expect(lines).toBe('[FIRING] disk used on web1 is 93, above 90');
  });
});

describe('durations for people', () => {
  it.each([
    [45_000, '45 s'],
    [12 * 60_000, '12 min'],
    [65 * 60_000, '1 h 5 min'],
    [3 * 3_600_000, '3 h'],
    [51 * 3_600_000, '2 d 3 h'],
  ])('%d ms is %s', (ms, words) => {
    expect(spokenDuration(ms)).toBe(words);
  });
});
