/**
 * Alarm mails with no template configured, end to end: a real in-process busbar (alarm rule with a
 * runbook, notifiers with an external URL) mails a real SMTP server (smtp-server), each mail parsed
 * with mailparser. The subject is the summary, the body says severity, value, start, duration,
 * labels, chart and runbook once each, and the resolution is threaded under its firing mail.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ParsedMail } from 'mailparser';
import type { AlarmMessage } from '../../alarms/alarm.js';
import type { AlarmNotification } from '../../alarms/notification.js';
import type { ConfigInput } from '../../config/schema.js';
import { startTestSmtp, type TestSmtp } from '../helpers/smtp.js';
import { startTestBusbar, type TestBusbar } from '../helpers/busbar.js';
import { Clients, waitFor } from '../helpers/mqtt-clients.js';

const clients = new Clients();
let busbar: TestBusbar | undefined;
let smtp: TestSmtp | undefined;

afterEach(async () => {
  await clients.closeAll();
  await busbar?.stop();
  await smtp?.close();
  busbar = smtp = undefined;
});

const PASSWORD = 'smtp-pass-71c2';
const RUNBOOK = 'https://wiki.example.org/runbooks/disk-full';
const MESSAGE_ID = /^<[0-9a-f]{32}\.busbar@example\.org>$/;

/** A busbar mailing a fresh SMTP server for `route` (no title, no message unless given). */
async function start(route: Record<string, unknown>, input: ConfigInput = {}): Promise<ParsedMail[]> {
  const mails: ParsedMail[] = [];
  smtp = await startTestSmtp(PASSWORD, mails);
  busbar = await startTestBusbar({
    agent: { enabled: false },
    ...input,
    alarms: { defaults: false, evaluateInterval: '50ms', ...input.alarms },
    notifiers: {
      enabled: true,
      externalUrl: 'https://busbar.example:8080',
      services: {
        email: {
          ops: {
            host: '127.0.0.1',
            port: smtp.port,
            security: 'none',
            username: 'busbar',
            password: PASSWORD,
            from: 'Busbar <busbar@example.org>',
            to: ['ops@example.org'],
            charts: false,
          },
        },
      },
      routes: [{ name: 'mail', targets: ['email:ops'], ...route } as never],
    },
  });
  return mails;
}

function occurrences(text: string, part: string): number {
  return text.split(part).length - 1;
}

/** mailparser gives one reference as a string, several as an array. */
function references(mail: ParsedMail): string[] {
  const refs = mail.references;
  return refs === undefined ? [] : Array.isArray(refs) ? refs : [refs];
}

describe('alarm mails with the default template', () => {
  it('sends a firing mail with the summary as subject and everything once; its resolution replies to it', async () => {
    const mails = await start(
      { topic: 'busbar/alarms/#' },
      {
        alarms: {
          rules: [
            {
              kind: 'threshold',
              name: 'disk-full',
              measurement: 'disk',
              field: 'used_percent',
              above: 90,
              severity: 'critical',
              runbook: RUNBOOK,
            },
          ],
        },
      },
    );
    const client = await clients.connect(busbar!.url);
    await client.publishAsync('busbar/metrics/web1/disk', 'disk,path=/ used_percent=97.5');
    await waitFor(() => mails.length >= 1, 'the firing mail', 30_000);
    const firing = mails[0]!;
    const summary = 'disk used_percent on web1 (path=/) is 97.5, above 90';
    expect(firing.subject).toBe(summary);
    const text = firing.text ?? '';
    expect(occurrences(text, summary)).toBe(1);
    expect(text).toContain(`[FIRING] critical ${summary}`);
    expect(text).toContain('Value 97.5, threshold 90');
    expect(text).toMatch(/^Since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/m);
    expect(text).toContain('Labels: ');
    expect(text).toContain('source=web1');
    expect(text).toMatch(/^Chart: https:\/\/busbar\.example:8080\/source\/web1\?from=\d+&to=now$/m);
    expect(text).toContain(`Runbook: ${RUNBOOK}`);
    expect(firing.html).toContain(`<a href="${RUNBOOK}">Runbook</a>`);
    expect(firing.html).toMatch(
      /<a href="https:\/\/busbar\.example:8080\/source\/web1\?from=\d+&amp;to=now">Chart<\/a>/,
    );
    expect(firing.messageId).toMatch(MESSAGE_ID);

    await client.publishAsync('busbar/metrics/web1/disk', 'disk,path=/ used_percent=50');
    await waitFor(() => mails.length >= 2, 'the resolution mail', 30_000);
    const resolved = mails[1]!;
    expect(resolved.subject).not.toContain('busbar/');
    expect(resolved.text).toMatch(/^\[RESOLVED\] critical /m);
    expect(resolved.text).toMatch(
      /^Started \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC, resolved after \d+ (s|min)$/m,
    );
    expect(resolved.text).toMatch(/source\/web1\?from=\d+&to=\d+$/m);
    expect(resolved.messageId).not.toBe(firing.messageId);
    expect(resolved.inReplyTo).toBe(firing.messageId);
    expect(references(resolved)).toEqual([firing.messageId]);
  });
});

function alarm(state: 'firing' | 'resolved', firedAt: string): AlarmMessage {
  return {
    rule: 'disk-full',
    series: 'web1.disk.used_percent{path=/}',
    state,
    severity: 'warning',
    value: state === 'firing' ? 95 : 60,
    threshold: 90,
    baseline: null,
    since: state === 'firing' ? firedAt : new Date().toISOString(),
    firedAt,
    labels: { source: 'web1', measurement: 'disk' },
    summary: `disk used on web1 is ${state === 'firing' ? 95 : 60}`,
  };
}

function notification(
  status: 'firing' | 'resolved',
  reason: AlarmNotification['reason'],
  firedAt: string,
): AlarmNotification {
  return {
    id: `rule=disk-full@${reason}-${status}`,
    group: 'rule=disk-full',
    labels: { rule: 'disk-full' },
    status,
    reason,
    firing: status === 'firing' ? 1 : 0,
    resolved: status === 'firing' ? 0 : 1,
    alarms: [alarm(status, firedAt)],
    summary: status === 'firing' ? '1 firing: disk used on web1' : '1 resolved: disk used on web1',
    time: new Date().toISOString(),
  };
}

describe('grouped alarm mails', () => {
  it("with the documented template a single alarm's line appears once", async () => {
    const mails = await start({ topic: 'busbar/notify/#', title: '{payload.summary}', message: '{alarms}' });
    const firedAt = new Date(Date.now() - 60_000).toISOString();
    await busbar!.running.bus.publish(
      'busbar/notify/g',
      JSON.stringify(notification('firing', 'new', firedAt)),
    );
    await waitFor(() => mails.length >= 1, 'the group mail', 30_000);
    expect(mails[0]!.subject).toBe('1 firing: disk used on web1');
    expect(occurrences(mails[0]!.text ?? '', 'disk used on web1 is 95')).toBe(1);
    expect(occurrences(mails[0]!.html || '', 'disk used on web1 is 95')).toBe(1);
  });

  it("subject is the group's summary with no title, and its repeat and resolution reply to the firing mail", async () => {
    const mails = await start({ topic: 'busbar/notify/#' });
    const firedAt = new Date(Date.now() - 60_000).toISOString();
    const bus = busbar!.running.bus;
    await bus.publish('busbar/notify/g', JSON.stringify(notification('firing', 'new', firedAt)));
    await waitFor(() => mails.length >= 1, 'the firing mail', 30_000);
    await bus.publish('busbar/notify/g', JSON.stringify(notification('firing', 'repeat', firedAt)));
    await waitFor(() => mails.length >= 2, 'the repeat mail', 30_000);
    await bus.publish('busbar/notify/g', JSON.stringify(notification('resolved', 'update', firedAt)));
    await waitFor(() => mails.length >= 3, 'the resolution mail', 30_000);

    const [firing, repeat, resolved] = mails as [ParsedMail, ParsedMail, ParsedMail];
    expect(firing.subject).toBe('1 firing: disk used on web1');
    expect(resolved.subject).toBe('1 resolved: disk used on web1');
    expect(occurrences(firing.text ?? '', 'disk used on web1 is 95')).toBe(1);
    expect(firing.text).toContain('[FIRING] warning disk used on web1 is 95');
    expect(firing.messageId).toMatch(MESSAGE_ID);
    for (const reply of [repeat, resolved]) {
      expect(reply.messageId).not.toBe(firing.messageId);
      expect(reply.inReplyTo).toBe(firing.messageId);
      expect(references(reply)).toEqual([firing.messageId]);
    }
  });
});
