/**
 * ACK <alarm|rule|source> [comment]: "I'm on it" for the firing alarms it names (`<rule>/<series>`,
 * or a rule, series or source, `*` patterns): they are not repeated until they resolve, and every
 * channel shows who took them (alarms/ack.ts). The Ack button of an alarm message does the same.
 */
import { acknowledgeAlarm } from '../../../alarms/ack-client.js';
import type { AlarmMessage } from '../../../alarms/alarm.js';
import { compileLabelMatchers } from '../../../alarms/silence.js';
import type { Command, CommandContext } from '../context.js';
import { escapeHtml } from '../format.js';

/** Acknowledges `alarms` for the person asking; answers with one line. Shared with the Ack button. */
export async function acknowledge(
  context: CommandContext,
  alarms: readonly AlarmMessage[],
  comment: string,
): Promise<string> {
  const who = context.user?.username ?? String(context.user?.id ?? context.chat);
  const by = `telegram:${who}`;
  for (const alarm of alarms) {
    await acknowledgeAlarm(context.bus, context.topics, {
      rule: alarm.rule,
      series: alarm.series,
      by,
      comment,
    });
    context.log.info(
      { alarm: `${alarm.rule}/${alarm.series}`, chat: context.chat, user: context.user?.id },
      'alarm acknowledged from Telegram',
    );
  }
  const what =
    alarms.length === 1
      ? `<b>${escapeHtml(alarms[0]!.rule)}</b>: ${escapeHtml(alarms[0]!.summary)}`
      : `${alarms.length} alarms`;
  return `✋ ${what} acknowledged by ${escapeHtml(who)}: no repeats until it resolves.`;
}

export const ackCommand: Command = async (context, args) => {
  const name = args[0];
  if (name === undefined) {
    await context.reply(
      'Usage: <code>ACK &lt;alarm|rule|source&gt; [comment]</code>, e.g. <code>ACK web1 swapping the disk</code>',
    );
    return;
  }
  const firing = context.data.firing();
  const exact = firing.filter((alarm) => `${alarm.rule}/${alarm.series}` === name);
  const matches = compileLabelMatchers({ alarm: name });
  const named = exact.length > 0 ? exact : firing.filter((alarm) => matches(alarm));
  if (named.length === 0) {
    await context.reply(`No firing alarm matches <code>${escapeHtml(name)}</code>: see ALARMS.`);
    return;
  }
  await context.reply(await acknowledge(context, named, args.slice(1).join(' ')));
};
