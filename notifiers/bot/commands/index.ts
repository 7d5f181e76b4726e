/** Every command by name; adding one is a file and a line here. */
import type { Command } from '../context.js';
import type { CommandName } from '../parse.js';
import { ackCommand } from './ack.js';
import { alarmsCommand } from './alarms.js';
import { muteCommand, receiveCommand, stopCommand } from './chat-settings.js';
import { graphCommand } from './graph.js';
import { helpCommand } from './help.js';
import { silenceCommand } from './silence.js';
import { statusCommand } from './status.js';
import { unsilenceCommand } from './unsilence.js';

export const commands: Record<Exclude<CommandName, 'start'>, Command> = {
  status: statusCommand,
  graph: graphCommand,
  alarms: alarmsCommand,
  silence: silenceCommand,
  unsilence: unsilenceCommand,
  ack: ackCommand,
  mute: muteCommand,
  receive: receiveCommand,
  stop: stopCommand,
  help: helpCommand,
};
