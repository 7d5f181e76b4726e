/**
 * The `web` section of the config file: the HTTP server (API, ingestion, health, metrics). Imported
 * by config/schema.ts; every web default is stated here and only here.
 */
import { z } from 'zod';
import { byteSize, duration } from '../config/duration.js';

const role = z.enum(['read', 'write']);

const tokenSchema = z
  .object({
    name: z.string().min(1).describe('Shown in logs instead of the token.'),
    token: z
      .string()
      .min(16)
      .describe(
        'Sent as `Authorization: Bearer <token>` or `Token <token>` (use `${file:...}` or `${ENV}`).',
      ),
    role: role.default('read').describe('read: pages and the API; write: also ingestion and publishing.'),
  })
  .strict();

export const webSchema = z
  .object({
    enabled: z.boolean().default(true).describe('Serve the HTTP API, health and metrics.'),
    host: z.string().default('127.0.0.1').describe('Address to bind. 0.0.0.0 or :: exposes the server.'),
    port: z.number().int().min(0).max(65535).default(8080).describe('TCP port; 0 picks a free one.'),
    allowAnonymous: z
      .boolean()
      .optional()
      .describe('Serve requests without credentials. Default: only those from a loopback address.'),
    anonymousRole: role.default('read').describe('Role of requests without credentials, where allowed.'),
    readOnlyUsers: z
      .array(z.string().min(1))
      .default([])
      .describe('Broker users (broker.users) who may read but not ingest or publish.'),
    tokens: z.array(tokenSchema).default([]).describe('API tokens, for scripts and Telegraf.'),
    sessionTtl: duration.prefault('12h').describe('How long a login session lasts.'),
    sessionsPath: z
      .string()
      .default('data/web-sessions.json')
      .describe(
        'File where login sessions survive a restart (hashes of their ids only); empty: in memory only.',
      ),
    maxBodySize: byteSize.prefault('10MiB').describe('Larger request bodies are refused with 413.'),
  })
  .strict();

export type WebConfig = z.output<typeof webSchema>;
export type WebRole = z.output<typeof role>;
