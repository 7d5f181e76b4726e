/**
 * The bridge's MQTT connection to the remote broker. Unlike the remote bus it never gives up: a
 * remote that is down at startup or refuses us is retried forever with jittered exponential backoff,
 * going through `addresses` in turn (mqtt.js `servers`), while the queue keeps what is bound for it.
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { backoffDelay, type BackoffPolicy } from '../core/util/backoff.js';
import { connectionProblem } from '../core/bus/bus-remote-connect.js';
import { readTlsFiles } from '../core/util/tls-files.js';
import { redactUrl, type Logger } from '../core/runtime/logger.js';
import type { BridgeConfig } from './config.js';

type ServerProtocol = 'mqtt' | 'mqtts' | 'ws' | 'wss';

const PROTOCOLS: Record<string, ServerProtocol> = {
  'mqtt:': 'mqtt',
  'tcp:': 'mqtt',
  'mqtts:': 'mqtts',
  'ssl:': 'mqtts',
  'tls:': 'mqtts',
  'ws:': 'ws',
  'wss:': 'wss',
};
const DEFAULT_PORTS: Record<ServerProtocol, number> = { mqtt: 1883, mqtts: 8883, ws: 80, wss: 443 };

interface Server {
  host: string;
  port: number;
  protocol: ServerProtocol;
}

/** The config schema has checked the addresses; this only splits them for mqtt.js. */
function server(address: string): Server {
  const url = new URL(address);
  const protocol = PROTOCOLS[url.protocol] ?? 'mqtt';
  // URL keeps IPv6 literals in brackets; the socket wants them bare.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return { host, port: url.port ? Number(url.port) : DEFAULT_PORTS[protocol], protocol };
}

async function clientOptions(config: BridgeConfig, policy: BackoffPolicy): Promise<IClientOptions> {
  const servers = config.addresses.map(server);
  const first = servers[0]!;
  const { ca, cert, key } = await readTlsFiles(`bridge ${config.name}`, config);
  return {
    servers,
    host: first.host,
    port: first.port,
    protocol: first.protocol,
    // WebSocket path of the first address (mqtt.js `servers` entries have none of their own).
    path: first.protocol.startsWith('ws') ? new URL(config.addresses[0]!).pathname : undefined,
    clientId: config.clientId ?? `busbar-${config.name}`,
    username: config.username,
    password: config.password,
    ca,
    cert,
    key,
    rejectUnauthorized: config.rejectUnauthorized,
    protocolVersion: config.protocolVersion,
    clean: config.cleanSession,
    keepalive: Math.max(1, Math.round(config.keepalive / 1000)),
    resubscribe: true,
    connectTimeout: 10_000,
    reconnectPeriod: backoffDelay(0, policy),
    reconnectOnConnackError: true,
    // The queue is where messages wait; mqtt.js must not keep a second, unbounded copy in memory.
    queueQoSZero: false,
  };
}

/** `host:port` the client is connected to, or trying now (mqtt.js rotates `options.host`). */
export function currentAddress(client: MqttClient): string {
  const { protocol, host, port } = client.options;
  return redactUrl(`${protocol ?? 'mqtt'}://${host ?? '?'}:${port ?? '?'}`);
}

/** Starts connecting and returns at once; the connection comes and goes, the client stays. */
export async function createBridgeClient(config: BridgeConfig, log: Logger): Promise<MqttClient> {
  const policy: BackoffPolicy = { initialMs: config.reconnectDelay, maxMs: config.maxReconnectDelay };
  const client = mqtt.connect(await clientOptions(config, policy));
  let attempt = 0;
  let online = false;
  let lastProblem = '';
  client.on('connect', () => {
    attempt = 0;
    client.options.reconnectPeriod = backoffDelay(0, policy);
    // MQTT is small packets answered by small packets (PUBACKs): Nagle would delay each by ~40 ms.
    (client.stream as { setNoDelay?: (noDelay: boolean) => unknown }).setNoDelay?.(true);
    online = true;
    lastProblem = '';
    log.info({ address: currentAddress(client) }, 'bridge connected');
  });
  client.on('close', () => {
    if (online && !client.disconnecting) {
      log.warn({ address: currentAddress(client) }, 'bridge connection lost; reconnecting');
    }
    online = false;
  });
  client.on('reconnect', () => {
    attempt += 1;
    // mqtt.js reads reconnectPeriod again before every attempt: stretch it into a backoff.
    client.options.reconnectPeriod = backoffDelay(attempt, policy);
  });
  // mqtt.js reports connection problems as 'error'; without a listener Node would throw them. The same
  // problem on every attempt of an outage is logged once.
  client.on('error', (error) => {
    const problem = connectionProblem(error);
    if (problem === lastProblem) return;
    lastProblem = problem;
    log.warn({ address: currentAddress(client), reason: problem, attempt }, 'bridge connection problem');
  });
  return client;
}
