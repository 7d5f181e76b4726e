/** UNSILENCE [id|pattern]: lists the silences, or ends those with that id or pattern. */
import { removeSilence } from '../../../alarms/silence-client.js';
import type { Silence } from '../../../alarms/silence.js';
import type { Command } from '../context.js';
import { escapeHtml } from '../format.js';
import { unknownWordsReply } from '../replies.js';

export function silenceLine(silence: Silence): string {
  const matchers = Object.entries(silence.matchers)
    .map(([label, value]) => (label === 'alarm' ? value : `${label}=${value}`))
    .join(' ');
  const until = silence.endsAt.slice(0, 16).replace('T', ' ');
  return `🔕 <code>${escapeHtml(matchers)}</code> until ${until} UTC (<code>${escapeHtml(silence.id)}</code>)`;
}

export const unsilenceCommand: Command = async (context, args) => {
  const silences = [...context.data.silences.values()];
  const which = args[0];
  if (which === undefined) {
    const lines = silences.length === 0 ? ['No silence is in force.'] : silences.map(silenceLine);
    if (silences.length > 0) lines.push('', 'End one with <code>UNSILENCE &lt;id or pattern&gt;</code>.');
    await context.reply(lines.join('\n'));
    return;
  }
  const lower = which.toLowerCase();
  const matching = silences.filter(
    (silence) =>
      silence.id.toLowerCase() === lower ||
      Object.values(silence.matchers).some((value) => value.toLowerCase() === lower),
  );
  if (matching.length === 0) {
    const names = silences.flatMap((silence) => [silence.id, ...Object.values(silence.matchers)]);
    await context.reply(unknownWordsReply([which], names, 'silence'));
    return;
  }
  for (const silence of matching) {
    await removeSilence(context.bus, context.topics, silence.id);
    context.log.info(
      { silence: silence.id, chat: context.chat, user: context.user?.id },
      'silence removed from Telegram',
    );
  }
  await context.reply(
    `🔔 Ended ${matching.map((silence) => `<code>${escapeHtml(silence.id)}</code>`).join(', ')}.`,
  );
};
