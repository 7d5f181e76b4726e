/**
 * `busbar silence add|list|remove`: silences from a shell, over MQTT like every other client, so it
 * works against a busbar on another machine and needs no access to its files. The alarms component
 * answers; its answer (the retained <base>/silences/<id>) is what this command reports.
 */
import os from 'node:os';
import { addSilence, listSilences, removeSilence } from '../alarms/silence-client.js';
import type { Silence } from '../alarms/silence.js';
import { runBusCommand as run, type BusCommandOptions } from './bus-command.js';
import { UsageError } from './password-file.js';

export type SilenceConnectionOptions = BusCommandOptions;

export interface SilenceAddOptions extends SilenceConnectionOptions {
  for?: string;
  until?: string;
  comment?: string;
  by?: string;
}

/**
 * `rule=disk*` → {rule: 'disk*'}; a bare word → {alarm: word}, which matches a rule name, a series
 * or a source, as the bot's SILENCE does.
 */
export function parseMatchers(words: readonly string[]): Record<string, string> {
  const matchers: Record<string, string> = {};
  for (const word of words) {
    const at = word.indexOf('=');
    if (at === 0 || at === word.length - 1) throw new UsageError(`"${word}" is not label=pattern`);
    const [label, pattern] = at < 0 ? ['alarm', word] : [word.slice(0, at), word.slice(at + 1)];
    if (label in matchers) throw new UsageError(`label "${label}" given twice`);
    matchers[label] = pattern;
  }
  if (words.length === 0) throw new UsageError('give at least one matcher: label=pattern, or a name');
  return matchers;
}

function describeSilence(silence: Silence): string {
  const matchers = Object.entries(silence.matchers)
    .map(([label, pattern]) => `${label}=${pattern}`)
    .join(' ');
  const by = silence.createdBy === '' ? '' : ` by ${silence.createdBy}`;
  const comment = silence.comment === '' ? '' : ` — ${silence.comment}`;
  return `${silence.id}  until ${silence.endsAt}  ${matchers}${by}${comment}`;
}

export function silenceAddCommand(words: string[], options: SilenceAddOptions): Promise<number> {
  return run(options, async (bus, topics) => {
    const matchers = parseMatchers(words);
    if ((options.for === undefined) === (options.until === undefined)) {
      throw new UsageError('give --for <duration> (e.g. 2h) or --until <ISO time>');
    }
    const silence = await addSilence(bus, topics, {
      matchers,
      ...(options.for !== undefined ? { duration: options.for } : { endsAt: options.until! }),
      createdBy: options.by ?? os.userInfo().username,
      comment: options.comment ?? '',
    });
    return `silenced: ${describeSilence(silence)}`;
  });
}

export function silenceListCommand(options: SilenceConnectionOptions): Promise<number> {
  return run(options, async (bus, topics) => {
    const silences = await listSilences(bus, topics);
    return silences.length === 0 ? 'no active silences' : silences.map(describeSilence).join('\n');
  });
}

export function silenceRemoveCommand(id: string, options: SilenceConnectionOptions): Promise<number> {
  return run(options, async (bus, topics) => {
    await removeSilence(bus, topics, id);
    return `removed: ${id}`;
  });
}
