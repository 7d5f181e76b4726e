/** The whole config file, as `busbar start` and `busbar check-config` read it. */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { isPasswordHash, parsePasswordFile } from '../broker/password-file.js';
import { ConfigError, readConfigDocument, validateConfig, type ConfigProblem } from './document.js';
import { configSchema, type Config, type UserEntry } from './schema.js';

export { ConfigError, type ConfigProblem } from './document.js';

/** Validates an already parsed document (YAML or an object in a test) into a frozen Config. */
export function parseConfig(raw: unknown, options: { file?: string; env?: NodeJS.ProcessEnv } = {}): Config {
  return validateConfig(configSchema, raw, options);
}

/** Reads and validates a YAML file, with the users of its `broker.passwordFile`; with no file, the embedded defaults. */
export async function loadConfig(file?: string, env: NodeJS.ProcessEnv = process.env): Promise<Config> {
  if (file === undefined) return parseConfig({}, { env });
  const config = parseConfig(await readConfigDocument(file), { file, env });
  return withPasswordFileUsers(config, file);
}

/** `broker.passwordFile` resolved against the folder of the config file that names it. */
export function passwordFilePath(config: Config, configFile: string): string | undefined {
  const file = config.broker.passwordFile;
  return file === undefined ? undefined : resolve(dirname(configFile), file);
}

/** The config with the password file's users added to `broker.users`; any problem is a ConfigError. */
async function withPasswordFileUsers(config: Config, configFile: string): Promise<Config> {
  const path = passwordFilePath(config, configFile);
  if (path === undefined) return config;
  const where = 'broker.passwordFile';
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError(configFile, [{ path: where, message: `cannot read ${path} (${code})` }]);
  }
  const parsed = parsePasswordFile(text);
  const problems: ConfigProblem[] = parsed.problems.map((problem) => ({
    path: where,
    message: `${path} line ${problem.line}: ${problem.message}`,
  }));
  const inConfig = new Map(config.broker.users.map((user, index) => [user.username, index]));
  const users: UserEntry[] = [];
  for (const entry of parsed.entries) {
    const at = `${path} line ${entry.line}`;
    const index = inConfig.get(entry.username);
    if (index !== undefined) {
      const message = `user "${entry.username}" is in broker.users[${index}] and in ${at}; keep one`;
      problems.push({ path: where, message });
    } else if (!isPasswordHash(entry.secret)) {
      const message = `${at}: user "${entry.username}" has no scrypt hash (run \`busbar passwd -U ${path}\`)`;
      problems.push({ path: where, message });
    } else {
      users.push({ username: entry.username, password: entry.secret, component: false });
    }
  }
  if (problems.length > 0) throw new ConfigError(configFile, problems);
  const broker = Object.freeze({ ...config.broker, users: [...config.broker.users, ...users] });
  return Object.freeze({ ...config, broker });
}
