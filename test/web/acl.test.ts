/** HTTP publishing obeys broker.acl as an MQTT client logged in as the same user would. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { BusMessage } from '../../core/bus/bus.js';
import { delay, waitFor } from '../helpers/mqtt-clients.js';
import {
  ADMIN,
  WRITE_TOKEN,
  basic,
  bearer,
  startWebBusbar,
  webUsers,
  type WebBusbar,
} from './web-fixture.js';

let web: WebBusbar;
const seen: BusMessage[] = [];

beforeAll(async () => {
  const users = await webUsers();
  web = await startWebBusbar({
    ...users,
    agent: { enabled: false },
    broker: {
      ...users.broker,
      acl: [
        { user: 'admin', topic: 'busbar/metrics/web1/#', access: 'publish' },
        { user: '*', topic: 'devices/%u/#', access: 'publish' },
      ],
    },
  });
  await web.busbar.running.bus.subscribe('#', (message) => void seen.push(message));
});

afterAll(async () => {
  await web?.stop();
});

const post = (path: string, headers: Record<string, string>, body: string) =>
  fetch(`${web.base}${path}`, { method: 'POST', headers, body });

it('allows what the ACL allows the user, and refuses a write with any denied topic as a whole', async () => {
  expect((await post('/api/v2/write', basic(ADMIN), 'cpu,host=web1 usage_user=1')).status).toBe(204);
  const refused = await post(
    '/api/v2/write',
    basic(ADMIN),
    'cpu,host=web1 usage_user=2\ncpu,host=web2 usage_user=3',
  );
  expect(refused.status).toBe(403);
  expect(((await refused.json()) as { message: string }).message).toBe(
    'broker.acl denies publishing to busbar/metrics/web2/cpu',
  );
  expect((await post('/api/publish/busbar/metrics/web2/cpu', basic(ADMIN), '1')).status).toBe(403);
  expect((await post('/api/publish/devices/admin/x', basic(ADMIN), '1')).status).toBe(200);
  // A token is `token:<name>` to the ACL: only `*` rules apply to it.
  expect((await post('/api/publish/devices/token:telegraf/x', bearer(WRITE_TOKEN), '2')).status).toBe(200);
  expect((await post('/api/v2/write', bearer(WRITE_TOKEN), 'cpu,host=web1 usage_user=4')).status).toBe(403);
  const published = (): BusMessage[] =>
    seen.filter(
      (m) =>
        !m.topic.startsWith('busbar/stats/') &&
        !m.topic.startsWith('busbar/status/') &&
        !m.topic.startsWith('busbar/broker/'),
    );
  // The three accepted reach the subscriber on their own time; then a moment for a refused one.
  await waitFor(() => published().length >= 3, 'the three accepted publishes');
  await delay(100);
  expect(published().map((m) => [m.topic, m.payload.toString().split(' ')[0]])).toEqual([
    ['busbar/metrics/web1/cpu', 'cpu,host=web1'],
    ['devices/admin/x', '1'],
    ['devices/token:telegraf/x', '2'],
  ]);
});
