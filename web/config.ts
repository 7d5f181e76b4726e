/**
 * The `web` section of the config file: the HTTP server (API, ingestion, health, metrics). Imported
 * by config/schema.ts; every web default is stated here and only here.
 */
import { z } from 'zod';
import { byteSize, duration } from '../config/duration.js';
import { isOrigin, validProxyEntry } from './client-address.js';

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
    maxBodySize: byteSize
      .prefault('10MiB')
      .describe('Larger request bodies, counted after gzip is undone, are refused with 413.'),
    trustedProxies: z
      .array(z.string().refine(validProxyEntry, 'an IP address or a CIDR block (10.0.0.0/8, ::1/128)'))
      .default([])
      .describe(
        'Reverse proxies (addresses or CIDR blocks) whose X-Forwarded-For, -Host and -Proto are believed.',
      ),
    trustedOrigins: z
      .array(z.string().refine(isOrigin, 'an origin: scheme://host[:port], no path (https://ops.example)'))
      .default([])
      .describe(
        "Other origins whose pages may send writes with a login cookie; the server's own always may.",
      ),
    headersTimeout: duration
      .prefault('10s')
      .describe('A request whose headers have not all arrived by then is answered 408 and closed.'),
    requestTimeout: duration
      .prefault('60s')
      .describe('A request whose body has not all arrived by then is answered 408 and closed.'),
    keepAliveTimeout: duration
      .prefault('5s')
      .describe('An idle keep-alive connection is closed after this long without a new request.'),
    idleTimeout: duration
      .prefault('2m')
      .describe('A connection on which nothing is sent or received for this long is closed; 0: never.'),
    maxConnections: z
      .number()
      .int()
      .positive()
      .default(1_000)
      .describe('Connections open at once; more are closed as they arrive (counted, logged).'),
    maxConnectionsPerAddress: z
      .number()
      .int()
      .positive()
      .default(100)
      .describe('Connections open at once from one client address (trusted proxies: no per-address cap).'),
    maxEventStreams: z
      .number()
      .int()
      .positive()
      .default(200)
      .describe('Live streams (/api/events) open at once; more are answered 503.'),
    maxEventStreamsPerAddress: z
      .number()
      .int()
      .positive()
      .default(20)
      .describe('Live streams open at once from one client address; more are answered 503.'),
  })
  .strict()
  // Node refuses a header timeout longer than the request timeout; said here, with the keys' names.
  .refine((web) => web.headersTimeout > 0 && web.headersTimeout <= web.requestTimeout, {
    message: 'headersTimeout must be above 0 and at most requestTimeout',
    path: ['headersTimeout'],
  });

export type WebConfig = z.output<typeof webSchema>;
export type WebRole = z.output<typeof role>;
