/** The problems a config reports, as `path: message` lines (none when it is valid). */
import { ConfigError, parseConfig } from '../../../config/load.js';
import type { ConfigInput } from '../../../config/schema.js';

export function problems(input: ConfigInput): string[] {
  try {
    parseConfig(input, { env: {} });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => `${p.path}: ${p.message}`);
    throw error;
  }
  return [];
}
