#!/usr/bin/env node
import { Command } from 'commander';
import { checkConfigCommand } from './check-config.js';
import { passwdCommand } from './passwd.js';
import { startCommand } from './start.js';
import { busbarVersion } from '../core/version.js';

const program = new Command();
program
  .name('busbar')
  .description('MQTT-centric ingestion bus for infrastructure and IoT metrics')
  .version(busbarVersion(), '-v, --version');

const configOption = [
  '-c, --config <file>',
  'YAML config file (default: $BUSBAR_CONFIG, else embedded defaults)',
] as const;
const configFile = (options: { config?: string }): string | undefined =>
  options.config ?? process.env.BUSBAR_CONFIG;

program
  .command('start')
  .description('run the broker and every configured component until SIGINT/SIGTERM')
  .option(...configOption)
  .action(async (options: { config?: string }) => startCommand(configFile(options)));

program
  .command('check-config')
  .description('validate a config file and print every problem with its path')
  .option(...configOption)
  .action(async (options: { config?: string }) => {
    process.exitCode = await checkConfigCommand(configFile(options));
  });

program
  .command('passwd')
  .description('hash a password (read from the terminal or standard input) into a broker.users entry')
  .argument('<user>', 'username')
  .action(async (user: string) => {
    process.exitCode = await passwdCommand(user);
  });

await program.parseAsync(process.argv);
