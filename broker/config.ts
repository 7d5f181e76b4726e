/**
 * The \`broker\` section of busbar's configuration: listeners, users, ACL, persistence, limits and the
 * intake journal. config/schema.ts assembles it with the other sections; the checks that span
 * several entries (a listener address used twice, a user defined twice) are \`brokerProblems\`.
 */
import { z } from 'zod';
import { PASSWORD_HASH_PATTERN } from './passwords.js';
import { journalSchema } from './journal/config.js';
import { byteSize, duration } from '../config/duration.js';

const port = z.number().int().min(0).max(65535);

const tlsFiles = z
  .object({
    cert: z.string().describe('Path to the PEM certificate chain.'),
    key: z.string().describe('Path to the PEM private key.'),
    ca: z.string().optional().describe('Path to a PEM CA bundle used to verify client certificates.'),
    requestCert: z
      .boolean()
      .default(false)
      .describe('Ask clients for a certificate and refuse those the CA does not sign.'),
  })
  .strict()
  .describe('TLS files (required for `tls`, optional for `ws`: serves wss://).')
  .refine((files) => !files.requestCert || files.ca !== undefined, {
    path: ['ca'],
    message: 'requestCert needs the CA that signs client certificates',
  });

const listenerPort = (fallback: number) =>
  port.default(fallback).describe('Port to bind; 0 picks a free port.');

const listenerCommon = {
  host: z.string().default('127.0.0.1').describe('Address to bind. 0.0.0.0 or :: exposes the broker.'),
  allowAnonymous: z
    .boolean()
    .optional()
    .describe('Accept clients without username. Default: true only when `host` is a loopback address.'),
};

export const listenerSchema = z.discriminatedUnion('type', [
  z
    .object({ type: z.literal('tcp'), port: listenerPort(1883), ...listenerCommon })
    .strict()
    .describe('Plain MQTT over TCP.'),
  z
    .object({ type: z.literal('tls'), port: listenerPort(8883), ...listenerCommon, tls: tlsFiles })
    .strict()
    .describe('MQTT over TLS.'),
  z
    .object({
      type: z.literal('ws'),
      port: listenerPort(8083),
      path: z
        .string()
        .regex(/^\//, 'starts with /')
        .default('/mqtt')
        .describe('HTTP path of the WebSocket endpoint.'),
      ...listenerCommon,
      tls: tlsFiles.optional().describe('Serve wss:// with these files.'),
    })
    .strict()
    .describe('MQTT over WebSocket.'),
]);

export const userSchema = z
  .object({
    username: z.string().min(1).describe('Username clients send.'),
    password: z
      .string()
      .regex(PASSWORD_HASH_PATTERN, 'a hash made by `busbar passwd USER` (scrypt$N$r$p$salt$hash)')
      .describe('scrypt hash printed by `busbar passwd USER`; never the clear password.'),
    component: z
      .boolean()
      .default(false)
      .describe(
        "A busbar process on a remote bus: may publish busbar's own topics (alarms, stats, notify...).",
      ),
  })
  .strict();

/** An MQTT filter: wildcards are whole levels, `#` only last [MQTT-4.7.1-2], [MQTT-4.7.1-3]. */
function isTopicFilter(filter: string): boolean {
  const levels = filter.split('/');
  return levels.every(
    (level, index) =>
      level === '+' ||
      (level === '#' && index === levels.length - 1) ||
      (!level.includes('+') && !level.includes('#')),
  );
}

export const aclRuleSchema = z
  .object({
    user: z
      .string()
      .default('*')
      .describe(
        'Username the rule applies to; `*` any authenticated or anonymous client, `$anonymous` anonymous ones.',
      ),
    topic: z
      .string()
      .min(1)
      .refine(isTopicFilter, '`+` and `#` must be whole levels, `#` only the last one')
      .describe('Topic filter; `%u` is replaced by the username and `%c` by the client id.'),
    access: z
      .enum(['publish', 'subscribe', 'both'])
      .default('both')
      .describe('Which operation the rule covers.'),
    allow: z.boolean().default(true).describe('false makes this a deny rule.'),
  })
  .strict();

const redisConnection = z
  .object({
    host: z.string().default('127.0.0.1').describe('Redis host.'),
    port: port.default(6379).describe('Redis port.'),
    password: z.string().optional().describe('Redis password (use `${file:...}` or `${ENV}`).'),
    db: z.number().int().min(0).default(0).describe('Redis database number.'),
    connectTimeout: duration
      .prefault('10s')
      .describe('Startup fails with a clear error when Redis does not answer within this time.'),
  })
  .strict();

export const persistenceSchema = z
  .discriminatedUnion('type', [
    z
      .object({ type: z.literal('memory') })
      .strict()
      .describe('Retained messages and sessions in memory; lost when busbar stops.'),
    z
      .object({
        type: z.literal('redis'),
        redis: redisConnection.prefault({}).describe('Redis server for `redis` persistence.'),
      })
      .strict()
      .describe('Retained messages, sessions and QoS 1/2 queues in Redis; several brokers can share it.'),
  ])
  .default({ type: 'memory' })
  .describe('Where retained messages and sessions live.');

export const brokerSchema = z
  .object({
    enabled: z
      .boolean()
      .default(true)
      .describe('Run the embedded broker. false: components use `bus.remote` instead.'),
    id: z.string().optional().describe('Broker id in $SYS topics (default: a random id).'),
    listeners: z
      .array(listenerSchema)
      .default([{ type: 'tcp', port: 1883, host: '127.0.0.1' }])
      .describe('Where clients connect.'),
    users: z.array(userSchema).default([]).describe('Users allowed to connect with a password.'),
    passwordFile: z
      .string()
      .min(1)
      .optional()
      .describe(
        'File of `user:<scrypt hash>` lines (`busbar passwd -b FILE USER PASSWORD`), relative to the config file; its users join `users`. Re-read on SIGHUP.',
      ),
    acl: z
      .array(aclRuleSchema)
      .default([])
      .describe(
        'Evaluated in order, first match wins. No rules: everything allowed. Some rules: unmatched is denied.',
      ),
    maxTopicLevels: z
      .number()
      .int()
      .min(1)
      .max(100)
      .default(32)
      .describe('Topics and filters with more levels are refused.'),
    maxPacketSize: byteSize.prefault('1MiB').describe('Larger packets close the connection.'),
    drainTimeout: duration.prefault('10s').describe('Disconnect a client that does not read for this long.'),
    topicAliasMaximum: z
      .number()
      .int()
      .min(0)
      .max(65535)
      .default(10)
      .describe(
        'MQTT 5: topic aliases a client may set towards the broker (advertised in CONNACK), and the most ' +
          'the broker sets towards a client that accepts them. 0: none.',
      ),
    maxKeepAlive: duration
      .prefault('0s')
      .describe(
        'MQTT 5: a client asking for a longer keep-alive gets this one (Server Keep Alive in CONNACK). 0s: no limit.',
      ),
    maxSessionExpiry: duration
      .prefault('7d')
      .describe(
        'MQTT 5: the longest Session Expiry Interval a client gets, also for "never"; bounds what a client that cycles ids can leave behind.',
      ),
    maxPendingSessions: z
      .number()
      .int()
      .min(0)
      .default(10_000)
      .describe(
        'MQTT 5: expiring sessions and delayed wills held at once; beyond, a session ends (a will is sent) at disconnect. 0: no limit.',
      ),
    maxQueuedMessages: z
      .number()
      .int()
      .nonnegative()
      .default(1000)
      .describe(
        'Messages queued for a client that does not keep up; beyond, QoS 0 is dropped for it, QoS 1/2 disconnects it. 0: none.',
      ),
    maxQueuedBytes: byteSize.prefault('8MiB').describe('The same bound in bytes on the wire. 0: no limit.'),
    queueAfter: duration
      .prefault('20ms')
      .describe(
        "How long a client's socket may refuse data before its messages are queued instead of waited for.",
      ),
    // Sized for a 2-core machine: 10,000 idle MQTT clients were measured to fit (see docs/security.md,
    // "The broker on a network"), and with web.maxConnections and a reserve for busbar's own files
    // they stay under the usual descriptor limits (checked at start, core/runtime/descriptors.ts).
    maxConnections: z
      .number()
      .int()
      .positive()
      .default(10_000)
      .describe(
        'MQTT connections open at once over all listeners; more are closed as they arrive, before CONNECT (counted, logged).',
      ),
    maxConnectionsPerAddress: z
      .number()
      .int()
      .positive()
      .default(1_000)
      .describe('MQTT connections open at once from one client address; more are closed as they arrive.'),
    connectTimeout: duration
      .prefault('10s')
      .describe(
        'Close a connection whose CONNECT (or TLS handshake, or WebSocket upgrade) is not in within this time.',
      ),
    loginDelay: duration
      .prefault('1s')
      .describe(
        'First delay before refusing a wrong password; doubles with the failures of an address or username, up to 30 times it.',
      ),
    loginBanAfter: z
      .number()
      .int()
      .nonnegative()
      .default(20)
      .describe(
        'Distinct wrong passwords from one address before it is banned for loginBanDuration; 0: never.',
      ),
    loginBanDuration: duration
      .prefault('5m')
      .describe('How long a banned address has every CONNECT refused (CONNACK 5), right passwords included.'),
    clientIdPattern: z
      .string()
      .refine((pattern) => pattern.includes('%u'), 'must contain %u (the username)')
      .optional()
      .describe(
        "Client ids a user may take: `%u` is the username, `*` any characters (`%u`, `%u-*`). Others are refused (CONNACK 2); an id that fits another user's pattern too. Default: any.",
      ),
    sysInterval: duration.prefault('10s').describe('How often $SYS statistics are published; 0 disables.'),
    persistence: persistenceSchema,
    journal: journalSchema,
  })
  .strict()
  .describe('The embedded MQTT broker.');

/** One problem of a broker section as a whole, with the path of the entry under \`broker\`. */
export interface BrokerProblem {
  readonly path: (string | number)[];
  readonly message: string;
}

/** The checks no single entry can make: two listeners on one address, one user name twice. */
export function brokerProblems(broker: BrokerConfig): BrokerProblem[] {
  const problems: BrokerProblem[] = [];
  const seen = new Set<string>();
  broker.listeners.forEach((listener, index) => {
    const key = `${listener.host}:${listener.port}`;
    if (listener.port !== 0 && seen.has(key)) {
      problems.push({ path: ['listeners', index, 'port'], message: `${key} is used twice` });
    }
    seen.add(key);
  });
  const usernames = new Set<string>();
  broker.users.forEach((user, index) => {
    if (usernames.has(user.username)) {
      problems.push({
        path: ['users', index, 'username'],
        message: `user "${user.username}" is defined twice`,
      });
    }
    usernames.add(user.username);
  });
  return problems;
}

export type BrokerConfig = z.output<typeof brokerSchema>;
export type ListenerConfig = BrokerConfig['listeners'][number];
export type AclRule = BrokerConfig['acl'][number];
export type UserEntry = BrokerConfig['users'][number];
export type PersistenceConfig = BrokerConfig['persistence'];
