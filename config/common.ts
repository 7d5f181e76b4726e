/**
 * Config sections every busbar process reads, `busbar start` and the lone `busbar agent` alike. Kept
 * apart from schema.ts so the agent validates them without loading every component's schema.
 */
import { z } from 'zod';

export const baseTopicSchema = z
  .string()
  .regex(/^[^#+/]+$/, 'one topic level without wildcards')
  .default('busbar')
  .describe('First level of every busbar topic.');

// The remote bus's schema lives beside the bus that reads it; the config assembles it from there.
export { remoteBusSchema, type RemoteBusConfig } from '../core/bus/remote-config.js';

export const logSchema = z
  .object({
    level: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace'])
      .default('info')
      .describe('Lowest level written.'),
    format: z
      .enum(['auto', 'json', 'pretty'])
      .default('auto')
      .describe('auto: pretty on a terminal, JSON otherwise.'),
  })
  .strict()
  .describe('Logging.');
