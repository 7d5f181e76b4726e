/** HELP: the commands, with examples. */
import type { Command } from '../context.js';

export const HELP_TEXT = [
  '<b>busbar</b> answers, in any case and with or without a leading /:',
  '<code>STATUS</code>: every source, online or offline, and its firing alarms',
  '<code>STATUS web1 cpu</code>: latest values of matching series, with units and age',
  '<code>GRAPH web1 disk / 6h</code>: a chart (1h, 6h, 24h, 7d, or FROM..TO such as 08:00..12:00)',
  '<code>ALARMS</code>: firing alarms and silences',
  '<code>SILENCE web1 2h</code>: no notifications about an alarm, rule or source (patterns with *)',
  '<code>UNSILENCE</code>: list silences; <code>UNSILENCE &lt;id&gt;</code> ends one',
  '<code>ACK web1 on it</code>: acknowledge firing alarms (no repeats until they resolve; everyone sees who)',
  '<code>MUTE 2h</code>: no notifications in this chat for a while; <code>MUTE OFF</code> ends it',
  '<code>RECEIVE critical source=web1</code>: what a paired chat gets (<code>RECEIVE all</code>)',
  '<code>STOP</code>: a paired chat unpairs (no more notifications or answers)',
  'Words match sources, measurements, fields and tag values; an unknown one gets suggestions.',
].join('\n');

export const helpCommand: Command = async (context) => {
  await context.reply(HELP_TEXT);
};
