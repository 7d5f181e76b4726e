/**
 * Mail threading (RFC 5322 §3.6.4): an alarm's or a group's firing mail gets a Message-ID made from
 * what it is about and when it started, and the mails after it (updates, repeats, the resolution)
 * name it in `In-Reply-To` and `References`, so a mail client shows the resolution under its firing.
 * The id is derived, not random, so a retried firing mail keeps it and a restart finds it again.
 */
import { createHash } from 'node:crypto';
import { isAlarmMessage, isAlarmNotification, type NotifiedAlarm } from '../../alarm-payload.js';

export interface ThreadHeaders {
  readonly messageId?: string;
  readonly inReplyTo?: string;
  readonly references?: string;
}

/** Groups whose thread is open, remembered at most: the oldest are forgotten first. */
const MAX_OPEN = 10_000;

/** The domain of the sender's address (`Busbar <busbar@example.org>`), for the ids' right-hand side. */
export function senderDomain(from: string): string {
  const domain = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from)?.[1];
  return domain === undefined || domain === '' ? 'busbar.invalid' : domain;
}

function started(alarm: NotifiedAlarm): string {
  return alarm.firedAt ?? alarm.since;
}

export class MailThreads {
  /** Group key → the Message-ID of its latest firing mail. */
  private readonly open = new Map<string, string>();

  constructor(private readonly domain: string) {}

  private messageId(about: string, start: string): string {
    const hash = createHash('sha256').update(`${about}\n${start}`).digest('hex').slice(0, 32);
    return `<${hash}.busbar@${this.domain}>`;
  }

  /** The headers of a mail about `payload`; none for a payload that is no alarm. */
  headers(payload: unknown): ThreadHeaders {
    if (isAlarmNotification(payload)) {
      const about = `group ${payload.group}`;
      if (payload.status === 'firing' && payload.reason === 'new') {
        const root = this.rootOf(about, payload.alarms);
        this.remember(about, root);
        return { messageId: root };
      }
      // After a restart the firing mail's id is derived again from the group's earliest alarm. Kept
      // after the resolution, which a retry may send again; a new firing replaces it.
      const root = this.open.get(about) ?? this.rootOf(about, payload.alarms);
      return { inReplyTo: root, references: root };
    }
    if (isAlarmMessage(payload)) {
      // firedAt stays the firing's time in its resolution: both name the same thread.
      const root = this.messageId(`alarm ${payload.rule}/${payload.series}`, started(payload));
      if (payload.state === 'firing') return { messageId: root };
      if (payload.state === 'resolved') return { inReplyTo: root, references: root };
    }
    return {};
  }

  private rootOf(about: string, alarms: readonly NotifiedAlarm[]): string {
    const earliest = alarms.map(started).sort()[0] ?? '';
    return this.messageId(about, earliest);
  }

  private remember(about: string, root: string): void {
    this.open.delete(about);
    this.open.set(about, root);
    if (this.open.size > MAX_OPEN) this.open.delete(this.open.keys().next().value!);
  }
}
