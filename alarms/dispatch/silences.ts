/**
 * The active silences: those from the config file and those asked for over the bus (CLI, bot, web).
 * Pure of I/O and of the clock; the component publishes what `changed` reports.
 */
import {
  compileLabelMatchers,
  requestProblem,
  silenceFromRequest,
  silenceRequestSchema,
  type LabelPredicate,
  type Silence,
} from '../silence.js';
import type { AlarmMessage } from '../alarm.js';
import type { ConfigSilence } from './config.js';

/** A silence from the config file lasts while it is there: its end is as far away as ISO allows. */
const UNTIL_REMOVED = '9999-12-31T23:59:59.999Z';
/** `createdBy` of silences from the config file (saved too, so one removed from the file is cleared). */
const CONFIG_AUTHOR = 'config';

interface Entry {
  readonly silence: Silence;
  readonly endsAt: number;
  readonly matches: LabelPredicate;
  readonly fromConfig: boolean;
}

export type SilenceOutcome =
  | { readonly kind: 'added'; readonly silence: Silence }
  | { readonly kind: 'removed'; readonly id: string }
  | { readonly kind: 'refused'; readonly reason: string; readonly id?: string };

export class SilenceStore {
  private readonly entries = new Map<string, Entry>();
  /** Saved silences that ended while busbar was down: their retained topics are still to clear. */
  readonly endedWhileDown: string[] = [];

  constructor(configured: readonly ConfigSilence[], saved: readonly Silence[], now: number) {
    configured.forEach((item, index) => {
      const id = item.id ?? `config-${index}`;
      this.put(
        {
          id,
          matchers: item.matchers,
          createdAt: new Date(now).toISOString(),
          endsAt: item.until ?? UNTIL_REMOVED,
          createdBy: CONFIG_AUTHOR,
          comment: item.comment,
        },
        true,
      );
    });
    for (const silence of saved) {
      if (this.entries.has(silence.id)) continue;
      if (silence.createdBy !== CONFIG_AUTHOR && Date.parse(silence.endsAt) > now) this.put(silence, false);
      else this.endedWhileDown.push(silence.id);
    }
  }

  /** Handles one request payload from <base>/control/silences. */
  request(payload: Buffer | string, now: number): SilenceOutcome {
    let parsed: unknown;
    try {
      parsed = JSON.parse(payload.toString());
    } catch {
      return { kind: 'refused', reason: 'not JSON' };
    }
    const result = silenceRequestSchema.safeParse(parsed);
    if (!result.success) {
      return { kind: 'refused', reason: requestProblem(result.error) };
    }
    const request = result.data;
    if (request.action === 'add' && request.createdBy === CONFIG_AUTHOR) {
      return {
        kind: 'refused',
        id: request.id,
        reason: '`createdBy: config` is reserved for the config file',
      };
    }
    const existing = this.entries.get(request.id);
    if (existing?.fromConfig) {
      return {
        kind: 'refused',
        id: request.id,
        reason: `silence ${request.id} comes from the config file; change it there`,
      };
    }
    if (request.action === 'remove') {
      this.entries.delete(request.id);
      // Removing an unknown id still answers `removed`: the outcome the requester wants holds.
      return { kind: 'removed', id: request.id };
    }
    const silence = silenceFromRequest(request, now);
    if (Date.parse(silence.endsAt) <= now) {
      return { kind: 'refused', id: request.id, reason: 'the silence would end before it begins' };
    }
    this.put(silence, false);
    return { kind: 'added', silence };
  }

  /** Removes the silences that ended by `now`; returns their ids. */
  expire(now: number): string[] {
    const ended: string[] = [];
    for (const [id, entry] of this.entries) {
      if (entry.endsAt <= now) {
        this.entries.delete(id);
        ended.push(id);
      }
    }
    return ended;
  }

  /** Ids of the silences that mute this alarm at `now`. */
  silencing(alarm: AlarmMessage, now: number): string[] {
    const ids: string[] = [];
    for (const entry of this.entries.values()) {
      if (entry.endsAt > now && entry.matches(alarm)) ids.push(entry.silence.id);
    }
    return ids;
  }

  /** Every active silence. */
  list(): Silence[] {
    return [...this.entries.values()].map((entry) => entry.silence);
  }

  /**
   * The silences to keep in the state file. Those from the config are read from it again; they are
   * kept too so that one removed from the file has its retained topic cleared at the next start.
   */
  saved(): Silence[] {
    return this.list();
  }

  get size(): number {
    return this.entries.size;
  }

  private put(silence: Silence, fromConfig: boolean): void {
    this.entries.set(silence.id, {
      silence,
      endsAt: Date.parse(silence.endsAt),
      matches: compileLabelMatchers(silence.matchers),
      fromConfig,
    });
  }
}
