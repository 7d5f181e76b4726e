/** A whole busbar in-process with its web server on a free port, and fetch helpers for the tests. */
import { request, type IncomingHttpHeaders } from 'node:http';
import { hashPassword } from '../../broker/passwords.js';
import type { ConfigInput } from '../../config/schema.js';
import { startTestBusbar, type TestBusbar } from '../helpers/busbar.js';
import { waitFor } from '../helpers/mqtt-clients.js';

export interface WebBusbar {
  readonly busbar: TestBusbar;
  /** `http://127.0.0.1:<port>` of the web server. */
  readonly base: string;
  stop(): Promise<void>;
}

export const ADMIN = { username: 'admin', password: 'admin-password' };
export const VIEWER = { username: 'viewer', password: 'viewer-password' };
export const WRITE_TOKEN = 'write-token-0123456789abcdef';
export const READ_TOKEN = 'read-token-0123456789abcdef';

/**
 * One threshold rule, and no default rules, so the only alarm is one a test makes fire:
 * `disk,host=web1,path=/ used_percent=97` on busbar/metrics/web1/disk.
 */
export const DISK_RULE: NonNullable<ConfigInput['alarms']> = {
  defaults: false,
  rules: [
    {
      kind: 'threshold',
      name: 'disk_full',
      measurement: 'disk',
      field: 'used_percent',
      above: 90,
      severity: 'critical',
    },
  ],
};

/** Broker users and tokens every web test shares: one writer, one read-only user, two tokens. */
export async function webUsers(): Promise<ConfigInput> {
  return {
    broker: {
      listeners: [{ type: 'tcp', host: '127.0.0.1', port: 0 }],
      users: [
        { username: ADMIN.username, password: await hashPassword(ADMIN.password) },
        { username: VIEWER.username, password: await hashPassword(VIEWER.password) },
      ],
    },
  };
}

/** Starts busbar and learns the web server's URL from its retained `busbar/stats/web`. */
export async function startWebBusbar(
  input: ConfigInput,
  web: NonNullable<ConfigInput['web']> = {},
): Promise<WebBusbar> {
  const busbar = await startTestBusbar({
    ...input,
    web: {
      port: 0,
      readOnlyUsers: [VIEWER.username],
      tokens: [
        { name: 'telegraf', token: WRITE_TOKEN, role: 'write' },
        { name: 'grafana', token: READ_TOKEN, role: 'read' },
      ],
      ...web,
    },
  });
  let base = '';
  const subscription = await busbar.running.bus.subscribe('busbar/stats/web', (message) => {
    const url = (JSON.parse(message.payload.toString()) as { url?: string }).url;
    if (url) base = url;
  });
  await waitFor(() => base !== '', 'the web server URL on busbar/stats/web', 10_000);
  await subscription.unsubscribe();
  return { busbar, base, stop: () => busbar.stop() };
}

export function basic(user: { username: string; password: string }): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}` };
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

export interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/**
 * One request over its own connection, from a chosen local address (all of 127.0.0.0/8 reaches a
 * server on 127.0.0.1) and with any headers, `Origin` and `X-Forwarded-For` included.
 */
export function send(
  web: WebBusbar,
  options: {
    method?: string;
    path: string;
    from?: string;
    headers?: Record<string, string>;
    body?: Buffer | string;
  },
): Promise<Answer> {
  const url = new URL(options.path, web.base);
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        host: url.hostname,
        port: url.port,
        path: `${url.pathname}${url.search}`,
        method: options.method ?? 'GET',
        headers: options.headers ?? {},
        localAddress: options.from ?? '127.0.0.1',
        agent: false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    outgoing.on('error', reject);
    outgoing.end(options.body ?? '');
  });
}

/** The web's statistics once `holds` is true of them (published every 10 s on busbar/stats/web). */
export async function webStatsWhen(
  web: WebBusbar,
  holds: (stats: Record<string, number>) => boolean,
): Promise<Record<string, number>> {
  let stats: Record<string, number> = {};
  const subscription = await web.busbar.running.bus.subscribe('busbar/stats/web', (message) => {
    stats = JSON.parse(message.payload.toString()) as Record<string, number>;
  });
  try {
    await waitFor(() => holds(stats), 'web statistics', 25_000);
  } finally {
    await subscription.unsubscribe();
  }
  return stats;
}
