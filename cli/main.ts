#!/usr/bin/env node
// First, before any other module loads (see agent-heap.ts).
import './agent-heap.js';
import { Command } from 'commander';
import type { AgentCommandOptions } from './agent.js';
import type { SilenceAddOptions, SilenceConnectionOptions } from './silence.js';
import type { AckOptions } from './ack.js';
import type { PasswdOptions } from './passwd.js';
import type { InitOptions } from './init.js';
import { exportCommand } from './export.js';
import { queryCommand } from './query.js';
import { busbarVersion } from '../core/runtime/version.js';

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

const config = program.command('config').description('print what a config file can hold');
config
  .command('sample')
  .description('print every key as commented YAML with its description and default (one component or all)')
  .argument('[component]', 'a top-level key: broker, ingest, sinks, web, alarms, notifiers...')
  .action(async (component: string | undefined) => {
    const { configSampleCommand } = await import('./config-sample.js');
    process.exitCode = configSampleCommand(component);
  });

program
  .command('init')
  .description('write a starter config file: the main defaults and commented examples')
  .argument('[file]', 'where to write it', 'busbar.yaml')
  .option('-f, --force', 'overwrite the file if it exists')
  .action(async (file: string, options: InitOptions) => {
    const { initCommand } = await import('./init.js');
    process.exitCode = await initCommand(file, options);
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
  .description(
    'USER: print a broker.users entry; FILE USER: add or update a user in a broker.passwordFile (password read from the terminal or standard input)',
  )
  .argument('<args...>', 'USER, or FILE USER [PASSWORD], or FILE')
  .option('-b, --batch', 'take the password from the command line: FILE USER PASSWORD')
  .option('-c, --create', 'create FILE, or overwrite it')
  .option('-D, --delete', 'delete USER from FILE')
  .option('-U, --update', 'hash the clear-text passwords of FILE (lines user:password) in place')
  .action(async (args: string[], options: PasswdOptions) => {
    const { passwdCommand } = await import('./passwd.js');
    process.exitCode = await passwdCommand(args, options);
  });

const silence = program
  .command('silence')
  .description('mute alarm notifications for a while (asks the alarms component over MQTT)');
const connectionOptions = (command: Command): Command =>
  command
    .option(...configOption)
    .option('--broker <url>', 'broker URL (default: bus.remote.url, mqtt://127.0.0.1:1883)')
    .option('--username <user>', 'username at the broker')
    .option('--password-file <file>', 'file holding the password (never given on the command line)');
connectionOptions(
  silence
    .command('add')
    .description(
      'add a silence: label=pattern matchers (`*` wildcards), or names of rules, series or sources',
    )
    .argument('<matcher...>', 'label=pattern (rule, series, source, severity, any tag) or a name')
    .option('--for <duration>', 'how long, e.g. 30m, 2h, 1d')
    .option('--until <time>', 'ISO 8601 end, e.g. 2026-12-01T08:00:00Z')
    .option('--comment <text>', 'why (shown with the silence)')
    .option('--by <name>', 'who (default: your user name)'),
).action(async (words: string[], options: SilenceAddOptions) => {
  const { silenceAddCommand } = await import('./silence.js');
  process.exitCode = await silenceAddCommand(words, { ...options, config: configFile(options) });
});
connectionOptions(silence.command('list').description('list the active silences')).action(
  async (options: SilenceConnectionOptions) => {
    const { silenceListCommand } = await import('./silence.js');
    process.exitCode = await silenceListCommand({ ...options, config: configFile(options) });
  },
);
connectionOptions(
  silence.command('remove').description('remove a silence').argument('<id>', 'the silence id'),
).action(async (id: string, options: SilenceConnectionOptions) => {
  const { silenceRemoveCommand } = await import('./silence.js');
  process.exitCode = await silenceRemoveCommand(id, { ...options, config: configFile(options) });
});

connectionOptions(
  program
    .command('ack')
    .description(
      'acknowledge firing alarms: no more repeats until they resolve (asks the alarms component over MQTT)',
    )
    .argument('<alarm>', 'rule/series, or the name of a rule, series or source (`*` wildcards)')
    .option('--by <name>', 'who takes it (default: the login name)')
    .option('--comment <text>', 'a note shown with the acknowledgement'),
).action(async (alarm: string, options: AckOptions) => {
  const { ackCommand } = await import('./ack.js');
  process.exitCode = await ackCommand(alarm, { ...options, config: configFile(options) });
});

program.addCommand(queryCommand());
program.addCommand(exportCommand());

await program.parseAsync(process.argv);
