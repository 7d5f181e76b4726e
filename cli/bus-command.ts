/**
 * What the commands that talk to a running busbar over MQTT share (`busbar silence`, `busbar ack`):
 * connecting as an ordinary client: to `--broker`, else to the config's `bus.remote` (a busbar on
 * another machine), else to the config's own broker on its first TCP listener; and one way of
 * reporting: the answer on stdout, a clear reason on stderr and exit code 1.
 */
import { ConfigError, loadConfig } from '../config/load.js';
import { remoteBusSchema, type Config } from '../config/schema.js';
import { AckRequestError } from '../alarms/ack-client.js';
import { SilenceRequestError } from '../alarms/silence-client.js';
import type { Bus } from '../core/bus/bus.js';
import { connectRemoteBus } from '../core/bus/bus-remote.js';
import { urlHost } from '../broker/url-host.js';
import { errorMessage } from '../core/runtime/errors.js';
import { createLogger, redactUrl } from '../core/runtime/logger.js';
import { createTopics, type Topics } from '../core/topics.js';
import { readPasswordFile, UsageError } from './password-file.js';

export interface BusCommandOptions {
  config?: string;
  broker?: string;
  username?: string;
  passwordFile?: string;
}

/**
 * The config's own broker, when it runs one and `bus.remote` says nothing: `busbar silence -c
 * busbar.yaml` on the machine busbar runs on reaches it where it listens, not at a default port.
 */
function ownBrokerUrl(config: Config): string | undefined {
  if (config.bus.remote !== undefined || !config.broker.enabled) return undefined;
  const tcp = config.broker.listeners.find((listener) => listener.type === 'tcp');
  if (tcp === undefined || tcp.port === 0) return undefined;
  return `mqtt://${urlHost(tcp.host)}:${tcp.port}`;
}

async function connect(options: BusCommandOptions): Promise<{ bus: Bus; topics: Topics }> {
  const config: Config = await loadConfig(options.config);
  const password =
    options.passwordFile === undefined ? undefined : await readPasswordFile(options.passwordFile);
  const url = options.broker ?? ownBrokerUrl(config);
  const remote = remoteBusSchema.safeParse({
    ...config.bus.remote,
    ...(url !== undefined && { url }),
    ...(options.username !== undefined && { username: options.username }),
    ...(password !== undefined && { password }),
  });
  if (!remote.success) {
    throw new UsageError(
      remote.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('\n'),
    );
  }
  // Quiet: this command's output is its answer; connection trouble surfaces as its error.
  const log = createLogger({ ...config.log, level: 'warn' });
  try {
    const bus = await connectRemoteBus(remote.data, { log, connectTimeout: 5_000 });
    return { bus, topics: createTopics(config.baseTopic) };
  } catch (error) {
    throw new UsageError(`cannot connect to ${redactUrl(remote.data.url)}: ${errorMessage(error)}`);
  }
}

/** Runs one subcommand: its output on stdout, a clear reason on stderr and exit code 1 on failure. */
export async function runBusCommand(
  options: BusCommandOptions,
  work: (bus: Bus, topics: Topics) => Promise<string>,
): Promise<number> {
  let connection: { bus: Bus; topics: Topics } | undefined;
  try {
    connection = await connect(options);
    process.stdout.write(`${await work(connection.bus, connection.topics)}\n`);
    return 0;
  } catch (error) {
    if (!(
      error instanceof UsageError ||
      error instanceof SilenceRequestError ||
      error instanceof AckRequestError ||
      error instanceof ConfigError
    )) {
      throw error;
    }
    process.stderr.write(`${error.message}\n`);
    return 1;
  } finally {
    await connection?.bus.close();
  }
}
