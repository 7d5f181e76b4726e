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

export const remoteBusSchema = z
  .object({
    url: z.string().default('mqtt://127.0.0.1:1883').describe('mqtt://, mqtts://, ws:// or wss:// URL.'),
    username: z.string().optional().describe('Username at the remote broker.'),
    password: z
      .string()
      .optional()
      .describe('Password at the remote broker (use `${file:...}` or `${ENV}`).'),
    clientId: z.string().optional().describe('Client id (default: generated).'),
    protocolVersion: z
      .union([z.literal(4), z.literal(5)])
      .default(4)
      .describe('MQTT 3.1.1 (4) or 5.'),
    ca: z.string().optional().describe('Path to a PEM CA bundle for mqtts/wss.'),
    cert: z.string().optional().describe('Path to a PEM client certificate.'),
    key: z.string().optional().describe('Path to the PEM key of the client certificate.'),
    rejectUnauthorized: z
      .boolean()
      .default(true)
      .describe('Refuse a server certificate the CA does not sign.'),
  })
  .strict();

export type RemoteBusConfig = z.output<typeof remoteBusSchema>;

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
