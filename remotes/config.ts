/**
 * The `remotes` section of the config file: bridges from busbar to other MQTT brokers, Mosquitto's
 * bridge model (`topic pattern direction qos local-prefix remote-prefix`) plus a durable queue.
 * Imported by config/schema.ts; every bridge default is stated here and only here.
 */
import { z } from 'zod';
import { duration } from '../config/duration.js';
import { filterProblem } from '../core/topic-match.js';

const ADDRESS_PROTOCOLS = new Set(['mqtt:', 'mqtts:', 'tcp:', 'ssl:', 'tls:', 'ws:', 'wss:']);

/** Why `address` cannot be a remote broker address, or undefined when it can. */
function addressProblem(address: string): string | undefined {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    // URL's own message repeats the input, which may hold a password: say what is expected instead.
    return 'not a URL (write e.g. mqtt://host:1883 or mqtts://host:8883)';
  }
  if (!ADDRESS_PROTOCOLS.has(url.protocol)) return `protocol ${url.protocol} is not mqtt, mqtts, ws or wss`;
  if (url.username || url.password) return 'put credentials in `username` and `password`, not in the URL';
  return undefined;
}

const address = z.string().superRefine((value, ctx) => {
  const problem = addressProblem(value);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});

/** A prefix is glued to a topic as is (as in Mosquitto); a wildcard in it would make topics invalid. */
const prefix = z
  .string()
  .regex(/^[^#+\u0000]*$/, 'a prefix has no wildcards')
  .default('');

export const bridgeRuleSchema = z
  .object({
    pattern: z
      .string()
      .superRefine((value, ctx) => {
        const problem = filterProblem(value);
        if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
      })
      .describe('Topic filter, without the prefixes: `metrics/#`.'),
    direction: z
      .enum(['in', 'out', 'both'])
      .default('out')
      .describe('out: local to remote; in: remote to local; both: each way, never echoed back.'),
    qos: z
      .union([z.literal(0), z.literal(1)])
      .default(1)
      .describe('QoS on the remote side (1: kept in the queue until the remote acknowledges it).'),
    localPrefix: prefix.describe('Put before `pattern` on the busbar side: `busbar/`.'),
    remotePrefix: prefix.describe('Put before `pattern` on the remote side: `sites/a/`.'),
  })
  .strict();

export const bridgeSchema = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, `_`, `.` and `-` (it names a topic and a file)')
      .describe('Names the status topic <base>/status/bridge/<name> and the queue file.'),
    addresses: z
      .array(address)
      .min(1)
      .describe('Remote broker URLs, tried in turn (failover): mqtt://, mqtts://, ws://, wss://.'),
    clientId: z.string().min(1).optional().describe('Client id on the remote (default: busbar-<name>).'),
    username: z.string().optional().describe('Username at the remote broker.'),
    password: z.string().optional().describe('Never logged; use `${file:...}` or `${ENV}`.'),
    ca: z.string().optional().describe('Path to a PEM CA bundle for mqtts/wss.'),
    cert: z.string().optional().describe('Path to a PEM client certificate.'),
    key: z.string().optional().describe('Path to the PEM key of `cert`.'),
    rejectUnauthorized: z
      .boolean()
      .default(true)
      .describe('Refuse a server certificate the CA does not sign.'),
    protocolVersion: z
      .union([z.literal(4), z.literal(5)])
      .default(4)
      .describe('4: MQTT 3.1.1; 5: MQTT 5 (the remote then never echoes our own messages).'),
    cleanSession: z
      .boolean()
      .default(false)
      .describe('false: the remote keeps our subscriptions and queues `in` messages while we are away.'),
    keepalive: duration
      .prefault('60s')
      .describe('MQTT keepalive: the remote drops a connection silent for 1.5 times this.'),
    reconnectDelay: duration.prefault('1s').describe('First reconnection delay; doubles, with jitter.'),
    maxReconnectDelay: duration.prefault('30s').describe('Ceiling of the reconnection delay.'),
    queueLimit: z
      .number()
      .int()
      .min(1)
      .default(1_000_000)
      .describe('Messages waiting for the remote at most; beyond, the oldest are dropped (counted).'),
    statusInterval: duration.prefault('10s').describe('How often the status is republished when it changed.'),
    rules: z
      .array(bridgeRuleSchema)
      .min(1)
      .describe('Mosquitto `topic` lines; a remote topic comes in by the first rule that matches it.'),
  })
  .strict();

export const remotesSchema = z
  .object({
    dataDir: z
      .string()
      .min(1)
      .default('data/bridges')
      .describe('Directory of the store-and-forward queues: one SQLite file per bridge.'),
    bridges: z.array(bridgeSchema).default([]).describe('Connections to remote brokers.'),
  })
  .strict()
  .superRefine((remotes, ctx) => {
    const names = new Set<string>();
    remotes.bridges.forEach((bridge, index) => {
      if (names.has(bridge.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['bridges', index, 'name'],
          message: `bridge "${bridge.name}" is defined twice`,
        });
      }
      names.add(bridge.name);
    });
  });

export type RemotesConfig = z.output<typeof remotesSchema>;
export type BridgeConfig = z.output<typeof bridgeSchema>;
export type BridgeRule = z.output<typeof bridgeRuleSchema>;
