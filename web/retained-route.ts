/**
 * `GET /api/retained?prefix=&after=&limit=`: the retained messages under a topic prefix, in topic
 * order, a page at a time, each with its size and the start of its payload, for the broker page's
 * browser. `prefix=sensors` lists `sensors` and everything under it (`sensors/#`); no prefix lists
 * every topic but the `$`-topics, which `#` never matches (ask for `$SYS` by name). `after` is the
 * last topic of the previous page (the answer's `next`).
 *
 * Read as any MQTT client reads them: a subscription to `<prefix>/#` that keeps the retained
 * messages it is sent, then goes. So it needs broker.acl's leave to subscribe to that filter, and
 * works on a remote broker too. The in-process bus has queued every retained message when the
 * subscription settles; a remote broker sends them after its SUBACK with no end marker, so the read
 * ends once none came for QUIET_MS. At most MAX_SCANNED topics are read (`truncated` says so), and
 * only a preview of each payload is kept: a page costs a scan, never the store's payloads in memory.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { Bus, BusMessage } from '../core/bus/bus.js';
import { topicProblem } from '../core/topic-match.js';
import { HttpError } from './http.js';

export const MAX_SCANNED = 10_000;
const QUIET_MS = 250;
const PREVIEW_CHARS = 120;
const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 500;

/** The route's query parameters (router.ts checks them before the handler runs). */
export const retainedQuery = z
  .object({
    prefix: z.string().optional(),
    after: z.string().optional(),
    limit: z.coerce.number().int().min(1).max(MAX_LIMIT).default(DEFAULT_LIMIT),
  })
  .strict();

export type RetainedQuery = z.infer<typeof retainedQuery>;

export interface RetainedEntry {
  readonly topic: string;
  readonly bytes: number;
  readonly qos: number;
  /** The payload's first characters (UTF-8), or its first bytes in hex when it is not text. */
  readonly preview: string;
  readonly binary: boolean;
}

export interface RetainedPage {
  readonly filter: string;
  /** Retained topics read under the prefix (at most MAX_SCANNED). */
  readonly total: number;
  readonly truncated: boolean;
  readonly entries: readonly RetainedEntry[];
  /** Pass as `after` for the next page; absent on the last. */
  readonly next?: string;
}

/** The subscription filter for a prefix; a 400 for one with wildcards. */
export function retainedFilter(prefix: string | undefined): string {
  if (prefix === undefined) return '#';
  const trimmed = prefix.replace(/\/+$/, '');
  const problem = topicProblem(trimmed);
  if (problem) throw new HttpError(400, 'invalid', `prefix: ${problem}`);
  return `${trimmed}/#`;
}

function entryOf(message: BusMessage): RetainedEntry {
  const head = message.payload.subarray(0, PREVIEW_CHARS * 4);
  const text = head.toString('utf8');
  // Control characters (but tab and newlines) or a replacement character: not text to show.
  const binary = /[\u0000-\u0008\u000e-\u001f\ufffd]/.test(text.slice(0, PREVIEW_CHARS));
  return {
    topic: message.topic,
    bytes: message.payload.length,
    qos: message.qos,
    preview: binary ? message.payload.subarray(0, 32).toString('hex') : text.slice(0, PREVIEW_CHARS),
    binary,
  };
}

async function readRetained(
  bus: Bus,
  filter: string,
): Promise<{ entries: RetainedEntry[]; truncated: boolean }> {
  const byTopic = new Map<string, RetainedEntry>();
  let truncated = false;
  let lastArrival = Date.now();
  const subscription = await bus.subscribe(
    filter,
    (message) => {
      if (!message.retain || message.payload.length === 0) return;
      lastArrival = Date.now();
      if (byTopic.size >= MAX_SCANNED && !byTopic.has(message.topic)) truncated = true;
      else byTopic.set(message.topic, entryOf(message));
    },
    { qos: 0, queueSize: MAX_SCANNED },
  );
  try {
    await subscription.settled();
    while (Date.now() - lastArrival < QUIET_MS) await sleep(QUIET_MS / 2);
    await subscription.settled();
  } finally {
    await subscription.unsubscribe();
  }
  const entries = [...byTopic.values()].sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0));
  return { entries, truncated };
}

/** What broker.acl lets the asking user read, as an MQTT client of the same user would. */
export interface RetainedAccess {
  /** False when the rules allow no topic the filter can match. */
  mayReadAny(filter: string): boolean;
  /** For a filter the rules allow in part: whether this topic is one of the allowed. */
  mayRead(topic: string): boolean;
}

export async function retainedPage(
  bus: Bus,
  query: RetainedQuery,
  access: RetainedAccess,
): Promise<RetainedPage> {
  const filter = retainedFilter(query.prefix === '' ? undefined : query.prefix);
  if (!access.mayReadAny(filter))
    throw new HttpError(403, 'forbidden', `broker.acl denies subscribing to ${filter}`);
  const { limit } = query;
  const after = query.after === '' ? undefined : query.after;
  const read = await readRetained(bus, filter);
  const truncated = read.truncated;
  const entries = read.entries.filter((entry) => access.mayRead(entry.topic));
  const start = after === undefined ? 0 : entries.findIndex((entry) => entry.topic > after);
  const page = start < 0 ? [] : entries.slice(start, start + limit);
  const more = start >= 0 && start + limit < entries.length;
  return {
    filter,
    total: entries.length,
    truncated,
    entries: page,
    ...(more ? { next: page[page.length - 1]!.topic } : {}),
  };
}
