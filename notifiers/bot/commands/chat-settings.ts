/**
 * What a chat itself chooses about notifications: STOP (a paired chat unpairs), MUTE 2h (any chat:
 * no notification until then; MUTE OFF ends it) and RECEIVE (a paired chat: every alarm, or those
 * of some severities and sources). Kept in the paired-chats file, which the Telegram targets read.
 */
import { parseDuration } from '../../../config/duration.js';
import type { Command } from '../context.js';
import { escapeHtml } from '../format.js';
import type { ReceiveChoice } from '../paired-chats.js';

function describeChoice(choice: ReceiveChoice | undefined): string {
  const parts = [
    choice?.severities ? `severity ${choice.severities.join(', ')}` : undefined,
    choice?.sources ? `source ${choice.sources.join(', ')}` : undefined,
  ].filter((part) => part !== undefined);
  return parts.length === 0 ? 'every alarm notification' : `alarms of ${parts.join(' and ')}`;
}

export const stopCommand: Command = async (context) => {
  if (!context.paired.remove(context.chat)) {
    await context.reply(
      'This chat is allowed by the configuration, not paired: it gets what its routes send. Use <code>MUTE 2h</code> for a quiet while.',
    );
    return;
  }
  context.log.info({ chat: context.chat, user: context.user?.id }, 'telegram chat unpaired (STOP)');
  await context.reply(
    '⏹ Unpaired: this chat gets no notifications and may not use busbar until paired again.',
  );
};

export const muteCommand: Command = async (context, args) => {
  const [word] = args;
  if (word === undefined) {
    const until = context.paired.mutedUntil(context.chat);
    await context.reply(
      until !== undefined && until > context.now
        ? `Muted until ${new Date(until).toISOString().slice(0, 16).replace('T', ' ')} UTC. <code>MUTE OFF</code> ends it.`
        : 'Not muted. <code>MUTE 2h</code>: no notifications in this chat for two hours.',
    );
    return;
  }
  if (word.toLowerCase() === 'off') {
    context.paired.mute(context.chat, undefined);
    await context.reply('🔔 Notifications on again in this chat.');
    return;
  }
  let ms: number;
  try {
    ms = parseDuration(word);
  } catch {
    ms = Number.NaN;
  }
  if (!Number.isFinite(ms) || ms <= 0) {
    await context.reply(`Not a duration: <code>${escapeHtml(word)}</code> (e.g. <code>MUTE 2h</code>).`);
    return;
  }
  const until = context.now + ms;
  context.paired.mute(context.chat, until);
  await context.reply(
    `🔕 No notifications in this chat until ${new Date(until).toISOString().slice(0, 16).replace('T', ' ')} UTC.`,
  );
};

export const receiveCommand: Command = async (context, args) => {
  const entry = context.paired.get(context.chat);
  if (!entry) {
    await context.reply('RECEIVE is for paired chats; this one gets what its routes send.');
    return;
  }
  if (args.length === 0) {
    await context.reply(
      `This chat receives ${describeChoice(entry.receive)}. <code>RECEIVE all</code>, <code>RECEIVE critical warning</code>, <code>RECEIVE source=web1</code>.`,
    );
    return;
  }
  let choice: ReceiveChoice | undefined;
  if (!(args.length === 1 && args[0]!.toLowerCase() === 'all')) {
    const severities: string[] = [];
    const sources: string[] = [];
    for (const arg of args) {
      const source = /^source=(.+)$/i.exec(arg);
      if (source) sources.push(source[1]!);
      else severities.push(arg.toLowerCase());
    }
    choice = {
      ...(severities.length > 0 ? { severities } : {}),
      ...(sources.length > 0 ? { sources } : {}),
    };
  }
  context.paired.setReceive(context.chat, choice);
  await context.reply(`This chat now receives ${escapeHtml(describeChoice(choice))}.`);
};
