/**
 * `busbar agent`: the host agent on its own, for machines that run no busbar. It connects to a
 * broker (any MQTT broker, or a busbar) with a last will, and publishes until SIGINT/SIGTERM.
 * Settings come from the config file (`agent`, `bus.remote`, `baseTopic`, `log`), then the flags.
 * Only those sections are validated (the others are `busbar start`'s): so the agent loads none of
 * the other components' schemas, which would cost it about 15 MB of memory.
 */
import os from 'node:os';
import { runHostAgent } from '../agents/host/agent.js';
import { agentSchema, type AgentConfig } from '../agents/host/config-schema.js';
import { createMqttLink } from '../agents/host/link-mqtt.js';
import { z } from 'zod';
import { baseTopicSchema, logSchema, remoteBusSchema, type RemoteBusConfig } from '../config/common.js';
import { ConfigError, readConfigDocument, validateConfig } from '../config/document.js';
import { errorMessage } from '../core/runtime/errors.js';
import { createLogger, redactUrl } from '../core/runtime/logger.js';
import { createTopics } from '../core/topics.js';
import { busbarVersion } from '../core/runtime/version.js';
import { UsageError as AgentUsageError, readPasswordFile } from './password-file.js';

export interface AgentCommandOptions {
  config?: string;
  broker?: string;
  username?: string;
  passwordFile?: string;
  name?: string;
  interval?: string;
  clientId?: string;
  ca?: string;
  cert?: string;
  key?: string;
  insecure?: boolean;
}

/** The sections of the config file the agent reads, with the same schemas `busbar start` uses. */
const agentFileSchema = z.object({
  baseTopic: baseTopicSchema,
  log: logSchema.prefault({}),
  agent: agentSchema.prefault({}),
  bus: z.object({ remote: remoteBusSchema.optional() }).strict().prefault({}),
});

export type AgentFile = z.output<typeof agentFileSchema>;

/** The agent's sections of `file` (every default when there is none); other sections are ignored. */
async function loadAgentFile(file: string | undefined): Promise<AgentFile> {
  const raw = (file === undefined ? {} : await readConfigDocument(file)) ?? {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(file, [{ path: '(file)', message: 'expected a mapping of sections' }]);
  }
  const document = raw as Record<string, unknown>;
  const bus = document.bus as Record<string, unknown> | undefined;
  const sections = {
    ...(document.baseTopic !== undefined && { baseTopic: document.baseTopic }),
    ...(document.log !== undefined && { log: document.log }),
    ...(document.agent !== undefined && { agent: document.agent }),
    ...(bus?.remote !== undefined && { bus: { remote: bus.remote } }),
  };
  return validateConfig(agentFileSchema, sections, file === undefined ? {} : { file });
}

export interface AgentSettings {
  agent: AgentConfig;
  remote: RemoteBusConfig;
  source: string;
}

/** Flags that set a config key; a problem with another key comes from the config file. */
const FLAGS: Record<string, string> = {
  interval: '--interval',
  name: '--name',
  url: '--broker',
  username: '--username',
  password: '--password-file',
  clientId: '--client-id',
  ca: '--ca',
  cert: '--cert',
  key: '--key',
  rejectUnauthorized: '--insecure',
};

function issues(
  section: string,
  error: { issues: { path: PropertyKey[]; message: string }[] },
): AgentUsageError {
  const lines = error.issues.map((issue) => {
    const key = issue.path.map(String).join('.');
    return `${FLAGS[key] ?? `${section}.${key}`}: ${issue.message}`;
  });
  return new AgentUsageError(lines.join('\n'));
}

/** The config file's settings with the flags applied on top, validated by the same schemas. */
export function agentSettings(
  config: AgentFile,
  options: AgentCommandOptions,
  password: string | undefined,
): AgentSettings {
  // Validated output is valid input (durations in ms, sizes in bytes), so the flags can be merged in.
  const agent = agentSchema.safeParse({
    ...config.agent,
    ...(options.name !== undefined && { name: options.name }),
    ...(options.interval !== undefined && { interval: options.interval }),
  });
  if (!agent.success)
    throw issues(options.interval !== undefined ? '--interval/--name' : '--name', agent.error);
  const remote = remoteBusSchema.safeParse({
    ...config.bus.remote,
    ...(options.broker !== undefined && { url: options.broker }),
    ...(options.username !== undefined && { username: options.username }),
    ...(password !== undefined && { password }),
    ...(options.clientId !== undefined && { clientId: options.clientId }),
    ...(options.ca !== undefined && { ca: options.ca }),
    ...(options.cert !== undefined && { cert: options.cert }),
    ...(options.key !== undefined && { key: options.key }),
    ...(options.insecure === true && { rejectUnauthorized: false }),
  });
  if (!remote.success) throw issues('bus.remote', remote.error);
  if (!/^(mqtts?|wss?):\/\//.test(remote.data.url)) {
    throw new AgentUsageError(
      `--broker: ${redactUrl(remote.data.url)} is not an mqtt://, mqtts://, ws:// or wss:// URL`,
    );
  }
  return { agent: agent.data, remote: remote.data, source: agent.data.name ?? os.hostname() };
}

async function settingsFrom(
  options: AgentCommandOptions,
): Promise<{ config: AgentFile; settings: AgentSettings }> {
  const config = await loadAgentFile(options.config);
  const password =
    options.passwordFile === undefined ? undefined : await readPasswordFile(options.passwordFile);
  return { config, settings: agentSettings(config, options, password) };
}

/** Runs the agent until SIGINT/SIGTERM; resolves with the exit code. */
export async function agentCommand(options: AgentCommandOptions): Promise<number> {
  let loaded: { config: AgentFile; settings: AgentSettings };
  try {
    loaded = await settingsFrom(options);
  } catch (error) {
    if (!(error instanceof ConfigError || error instanceof AgentUsageError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return 1;
  }
  const { config, settings } = loaded;
  const { agent, remote, source } = settings;
  const log = createLogger(config.log);
  const topics = createTopics(config.baseTopic);
  const clientId = remote.clientId ?? `busbar-agent-${source}`;
  log.info(
    { version: busbarVersion(), broker: redactUrl(remote.url), source, clientId, intervalMs: agent.interval },
    'busbar agent starting',
  );

  let link;
  try {
    link = await createMqttLink({
      config: remote,
      log,
      clientId,
      will: { topic: topics.status(source), payload: 'offline' },
    });
  } catch (error) {
    log.fatal({ reason: errorMessage(error) }, 'busbar agent could not start');
    log.flush();
    return 1;
  }

  let exitCode = 0;
  const controller = new AbortController();
  const stop = (signal: string): void => {
    if (controller.signal.aborted) {
      log.warn(`${signal} again: exiting without waiting`);
      process.exit(1);
    }
    log.info({ signal }, 'busbar agent stopping');
    controller.abort();
  };
  const onSigint = (): void => stop('SIGINT');
  const onSigterm = (): void => stop('SIGTERM');
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
  link.refused.catch((error: unknown) => {
    log.fatal({ reason: errorMessage(error) }, 'the broker refused the agent; stopping');
    exitCode = 1;
    controller.abort();
  });
  try {
    await runHostAgent({ config: agent, source, topics, link, log }, controller.signal);
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
    await link.close();
  }
  log.info('busbar agent stopped');
  log.flush();
  return exitCode;
}
