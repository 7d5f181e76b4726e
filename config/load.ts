/** The whole config file, as `busbar start` and `busbar check-config` read it. */
import { readConfigDocument, validateConfig } from './document.js';
import { configSchema, type Config } from './schema.js';

export { ConfigError, type ConfigProblem } from './document.js';

/** Validates an already parsed document (YAML or an object in a test) into a frozen Config. */
export function parseConfig(raw: unknown, options: { file?: string; env?: NodeJS.ProcessEnv } = {}): Config {
  return validateConfig(configSchema, raw, options);
}

/** Reads and validates a YAML file; with no file, the embedded defaults. */
export async function loadConfig(file?: string, env: NodeJS.ProcessEnv = process.env): Promise<Config> {
  if (file === undefined) return parseConfig({}, { env });
  return parseConfig(await readConfigDocument(file), { file, env });
}
