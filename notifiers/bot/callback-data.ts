/**
 * Inline button data. Telegram allows 64 bytes of callback data, too few for a rule and a series
 * name, so a button carries a hash of what it is about; the bot finds the alarm (retained on the
 * bus) or the group (remembered from <base>/notify/#, kept in a file: groups.ts) whose hash it is,
 * so the buttons keep working after a restart.
 */
import { createHash } from 'node:crypto';

export type ButtonAction = 'silence' | 'graph' | 'ack';

/** What a button is about: one alarm (`<rule>/<series>`) or a notification group key. */
export interface ButtonSubject {
  readonly kind: 'alarm' | 'group';
  readonly key: string;
}

const PREFIX = 'bb';
const ACTIONS: Record<ButtonAction, string> = { silence: 's', graph: 'g', ack: 'k' };
const KINDS: Record<ButtonSubject['kind'], string> = { alarm: 'a', group: 'g' };

/** 16 base64url characters (96 bits): collisions among a site's alarms are not a concern. */
export function subjectHash(subject: ButtonSubject): string {
  const digest = createHash('sha256').update(`${subject.kind}\u0000${subject.key}`).digest('base64url');
  return `${KINDS[subject.kind]}${digest.slice(0, 16)}`;
}

/** `bb:s:a<hash>`: 21 bytes. */
export function callbackData(action: ButtonAction, subject: ButtonSubject): string {
  return `${PREFIX}:${ACTIONS[action]}:${subjectHash(subject)}`;
}

export interface ParsedCallback {
  readonly action: ButtonAction;
  readonly kind: ButtonSubject['kind'];
  readonly hash: string;
}

export function parseCallbackData(data: string | undefined): ParsedCallback | undefined {
  const match = /^bb:([sgk]):([ag][A-Za-z0-9_-]{16})$/.exec(data ?? '');
  if (!match) return undefined;
  const action = (Object.keys(ACTIONS) as ButtonAction[]).find((name) => ACTIONS[name] === match[1])!;
  const hash = match[2]!;
  return { action, kind: hash.startsWith('a') ? 'alarm' : 'group', hash };
}
