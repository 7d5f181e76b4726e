#!/usr/bin/env node
import { Command } from 'commander';
import type { AgentCommandOptions } from './agent.js';
import { exportCommand } from './export.js';
import { queryCommand } from './query.js';
import { busbarVersion } from '../core/version.js';

// Each command's code is loaded when that command runs: `busbar agent` on a small host should not
// carry the broker, the sinks and the bridges in memory.

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
  .action(async (options: { config?: string }) => {
    const { startCommand } = await import('./start.js');
    await startCommand(configFile(options));
  });

program
  .command('check-config')
  .description('validate a config file and print every problem with its path')
  .option(...configOption)
  .action(async (options: { config?: string }) => {
    const { checkConfigCommand } = await import('./check-config.js');
    process.exitCode = await checkConfigCommand(configFile(options));
  });

program
  .command('agent')
  .description("publish this machine's metrics, inventory and status to a broker until SIGINT/SIGTERM")
  .option(...configOption)
  .option(
    '--broker <url>',
    'mqtt://, mqtts://, ws:// or wss:// URL (default: bus.remote.url, else mqtt://127.0.0.1:1883)',
  )
  .option('--username <user>', 'username at the broker')
  .option('--password-file <file>', 'file holding the password (never given on the command line)')
  .option('--name <name>', 'source name and host tag (default: agent.name, else the host name)')
  .option('--interval <duration>', 'how often each collector runs, e.g. 10s (default: agent.interval)')
  .option('--client-id <id>', 'MQTT client id (default: busbar-agent-<name>)')
  .option('--ca <file>', 'PEM CA bundle to verify the broker (mqtts://, wss://)')
  .option('--cert <file>', 'PEM client certificate')
  .option('--key <file>', 'PEM key of the client certificate')
  .option('--insecure', 'accept a broker certificate the CA does not sign')
  .action(async (options: AgentCommandOptions) => {
    // Loaded on use: `busbar start` and the other commands need none of it.
    const { agentCommand } = await import('./agent.js');
    process.exitCode = await agentCommand({ ...options, config: configFile(options) });
  });

program
  .command('passwd')
  .description('hash a password (read from the terminal or standard input) into a broker.users entry')
  .argument('<user>', 'username')
  .action(async (user: string) => {
    const { passwdCommand } = await import('./passwd.js');
    process.exitCode = await passwdCommand(user);
  });

program.addCommand(queryCommand());
program.addCommand(exportCommand());

await program.parseAsync(process.argv);
