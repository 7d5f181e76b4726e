/** A whole busbar in-process with its web server on a free port, and fetch helpers for the tests. */
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
