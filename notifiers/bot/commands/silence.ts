/**
 * SILENCE <alarm|pattern> <duration>: no notifications about matching alarms for that long. The
 * pattern is what Alertmanager-style `alarm` matchers take: a rule, a series, a source, or
 * `<rule>/<series>`, with `*`. A word that names nothing known is answered with the closest names.
 */
import { addSilence } from '../../../alarms/silence-client.js';
import { compileLabelMatchers } from '../../../alarms/silence.js';
import { parseDuration } from '../../../config/duration.js';
import type { Command, CommandContext } from '../context.js';
import { escapeHtml } from '../format.js';
import { unknownWordsReply } from '../replies.js';

/** Names a silence pattern may be: rules, series and sources known from alarms, status and history. */
async function knownNames(context: CommandContext): Promise<Set<string>> {
  const names = new Set<string>(context.data.state.sources.keys());
  for (const alarm of context.data.alarms()) {
    names.add(alarm.rule);
    names.add(alarm.series);
    if (alarm.labels.source !== undefined) names.add(alarm.labels.source);
  }
  try {
    for (const source of await context.data.reader().sources()) names.add(source.source);
  } catch {
    // Without the history store the bus' names are all there is.
  }
  return names;
}

/** Creates the silence and answers; shared with the Silence button. */
export async function silence(
  context: CommandContext,
  matchers: Record<string, string>,
  duration: string,
  what: string,
): Promise<string> {
  const who = context.user?.username ?? String(context.user?.id ?? context.chat);
  const created = await addSilence(context.bus, context.topics, {
    matchers,
    duration,
    createdBy: `telegram:${who}`,
    comment: `from Telegram chat ${context.chat}`,
  });
  context.log.info(
    { silence: created.id, matchers, duration, chat: context.chat, user: context.user?.id },
    'silence added from Telegram',
  );
  const matches = compileLabelMatchers(matchers);
  const firing = context.data.firing().filter((alarm) => matches(alarm)).length;
  const until = created.endsAt.slice(0, 16).replace('T', ' ');
  return `🔕 Silenced <code>${escapeHtml(what)}</code> until ${until} UTC (<code>${escapeHtml(created.id)}</code>); ${firing} firing alarm${firing === 1 ? '' : 's'} match.`;
}

export const silenceCommand: Command = async (context, args) => {
  const durationText = args.at(-1);
  if (args.length !== 2 || durationText === undefined) {
    await context.reply(
      'Usage: <code>SILENCE &lt;alarm|source|pattern&gt; &lt;duration&gt;</code>, e.g. <code>SILENCE web1 2h</code>',
    );
    return;
  }
  try {
    if (parseDuration(durationText) <= 0) throw new Error('zero');
  } catch {
    await context.reply(`<code>${escapeHtml(durationText)}</code> is not a duration: use e.g. 30m, 2h, 1d.`);
    return;
  }
  const typed = args[0]!;
  const names = await knownNames(context);
  let pattern = typed;
  if (!typed.includes('*')) {
    // Loose: `WEB1` is web1.
    const exact =
      [...names].find((name) => name === typed) ??
      [...names].find((name) => name.toLowerCase() === typed.toLowerCase());
    if (exact === undefined) {
      await context.reply(unknownWordsReply([typed], names, 'alarm, rule or source'));
      return;
    }
    pattern = exact;
  }
  await context.reply(await silence(context, { alarm: pattern }, durationText, pattern));
};
