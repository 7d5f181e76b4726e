/**
 * A chat message as a command: `STATUS web1 cpu`, `status web1 cpu` and `/status@busbar_bot web1 cpu`
 * are the same request. The first word names the command (any case); the rest are its arguments.
 */
export const COMMANDS = [
  'status',
  'graph',
  'alarms',
  'silence',
  'unsilence',
  'ack',
  'mute',
  'receive',
  'stop',
  'help',
  'start',
] as const;
export type CommandName = (typeof COMMANDS)[number];

export interface ParsedCommand {
  /** The command, or undefined when the first word names none. */
  readonly name: CommandName | undefined;
  /** The first word as typed, without `/` and `@bot`. */
  readonly word: string;
  readonly args: readonly string[];
  /** Whether it was written as a slash command. */
  readonly slash: boolean;
}

export function parseCommand(text: string): ParsedCommand | undefined {
  const words = text
    .trim()
    .split(/\s+/)
    .filter((word) => word !== '');
  const first = words[0];
  if (first === undefined) return undefined;
  const slash = first.startsWith('/');
  // `/status@busbar_bot`: Telegram appends the bot's name in groups.
  const word = (slash ? first.slice(1) : first).replace(/@\w+$/, '');
  const lower = word.toLowerCase();
  const name = (COMMANDS as readonly string[]).includes(lower) ? (lower as CommandName) : undefined;
  return { name, word, args: words.slice(1), slash };
}
