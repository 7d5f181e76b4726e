/**
 * The thread headers on their own: ids derived from the alarm or group and when it fired, so a
 * restart (a new MailThreads) still threads a resolution under the firing mail sent before it.
 */
import { describe, expect, it } from 'vitest';
import type { AlarmMessage } from '../../alarms/alarm.js';
import type { AlarmNotification } from '../../alarms/notification.js';
import { MailThreads, senderDomain } from '../../notifiers/services/email/thread.js';

const FIRED = '2026-12-07T03:10:05.000Z';

function alarm(
  state: AlarmMessage['state'],
  series = 'web1.disk',
  firedAt: string | null = FIRED,
): AlarmMessage {
  return {
    rule: 'disk_used',
    series,
    state,
    severity: 'warning',
    value: 93,
    threshold: 90,
    baseline: null,
    since: state === 'firing' ? (firedAt ?? FIRED) : '2026-12-07T03:22:05.000Z',
    firedAt,
    labels: { source: 'web1' },
    summary: 'disk used on web1',
  };
}

function group(status: 'firing' | 'resolved', reason: AlarmNotification['reason']): AlarmNotification {
  return {
    id: `g@${reason}`,
    group: 'rule=disk_used',
    labels: { rule: 'disk_used' },
    status,
    reason,
    firing: status === 'firing' ? 1 : 0,
    resolved: status === 'firing' ? 0 : 1,
    alarms: [alarm(status === 'firing' ? 'firing' : 'resolved')],
    summary: 'x',
    time: FIRED,
  };
}

describe('mail thread headers', () => {
  it('threads an alarm resolution under its firing, across a restart; a new firing starts a new thread', () => {
    const firing = new MailThreads('example.org').headers(alarm('firing'));
    expect(firing.messageId).toMatch(/^<[0-9a-f]{32}\.busbar@example\.org>$/);
    const afterRestart = new MailThreads('example.org').headers(alarm('resolved'));
    expect(afterRestart).toEqual({ inReplyTo: firing.messageId, references: firing.messageId });
    const later = new MailThreads('example.org').headers(
      alarm('firing', 'web1.disk', '2026-12-08T00:00:00.000Z'),
    );
    expect(later.messageId).not.toBe(firing.messageId);
    const otherSeries = new MailThreads('example.org').headers(alarm('firing', 'web2.disk'));
    expect(otherSeries.messageId).not.toBe(firing.messageId);
  });

  it('threads a group by its first message, and after a restart by its earliest alarm', () => {
    const threads = new MailThreads('example.org');
    const first = threads.headers(group('firing', 'new'));
    expect(first.messageId).toBeDefined();
    expect(threads.headers(group('firing', 'repeat')).inReplyTo).toBe(first.messageId);
    expect(new MailThreads('example.org').headers(group('resolved', 'update')).inReplyTo).toBe(
      first.messageId,
    );
  });

  it('leaves other messages and pending alarms unthreaded', () => {
    const threads = new MailThreads('example.org');
    expect(threads.headers({ door: 'open' })).toEqual({});
    expect(threads.headers(alarm('pending'))).toEqual({});
  });

  it("takes the domain from the sender's address", () => {
    expect(senderDomain('Busbar <busbar@mail.example.org>')).toBe('mail.example.org');
    expect(senderDomain('busbar@example.org')).toBe('example.org');
    expect(senderDomain('busbar')).toBe('busbar.invalid');
  });
});
