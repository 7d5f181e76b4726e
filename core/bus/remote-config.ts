/**
 * `bus.remote` (and the host agent's broker): the MQTT broker the bus connects to when busbar's own
 * broker is off. Beside the bus that reads it, so core/ depends on no config module.
 */
import { z } from 'zod';

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
