/**
 * busbar's own topics (<base>/alarms, stats, notify, notified, silences, acks, control, deadletter, broker)
 * are refused from MQTT clients whatever broker.acl says, unless a rule names them for the user or
 * the user is a component (broker.users[].component); other topics follow the ACL as before.
 */
import { afterAll, afterEach, expect, it } from 'vitest';
import { hashPassword } from '../../broker/passwords.js';
import { Clients, publishMarker, record, subscribe, waitFor } from '../helpers/mqtt-clients.js';
import { Brokers } from './fixtures.js';

const brokers = new Brokers();
const clients = new Clients();
afterEach(() => clients.closeAll());
afterAll(() => brokers.closeAll());

const OWN = [
  'alarms/x/y',
  'notify/g',
  'notified/g',
  'silences/s1',
  'control/silences',
  'acks/rule/series',
  'control/acks',
  'stats/influxdb',
  'deadletter/r',
  'broker/clients',
];

it('refuses busbar-owned topics from an anonymous client allowed everything, and counts it', async () => {
  const { url, log } = await brokers.start({ sysInterval: '100ms' });
  const watcher = await clients.connect(url);
  const seen = record(watcher);
  await subscribe(watcher, 'busbar/#', 1);
  await subscribe(watcher, 'other/#', 1);
  const forger = await clients.connect(url, { clientId: 'forger' });
  for (const own of OWN) await forger.publishAsync(`busbar/${own}`, 'forged', { qos: 1, retain: true });
  await forger.publishAsync('busbar/metrics/web1/cpu', 'cpu usage=1', { qos: 1 });
  await publishMarker(forger, seen, 'other/marker');
  expect(seen.filter((m) => m.payload === 'forged')).toEqual([]);
  expect(seen.some((m) => m.topic === 'busbar/metrics/web1/cpu')).toBe(true);
  expect(forger.connected).toBe(true);
  const refused = log.find("publish refused: the topic is busbar's own");
  expect(refused[0]).toMatchObject({ clientId: 'forger', topic: 'busbar/alarms/x/y' });
  const stats = (): { publishesDenied?: number } => {
    const last = seen.filter((m) => m.topic === 'busbar/stats/broker').at(-1);
    return last ? (JSON.parse(last.payload) as { publishesDenied?: number }) : {};
  };
  await waitFor(() => (stats().publishesDenied ?? 0) >= OWN.length, 'the refusals counted');
  // A late subscriber gets no retained forgery either.
  const late = await clients.connect(url);
  const lateSeen = record(late);
  await subscribe(late, 'busbar/#', 1);
  await publishMarker(forger, lateSeen, 'busbar/metrics/late/marker');
  expect(lateSeen.filter((m) => m.payload === 'forged')).toEqual([]);
});

it('lets a rule naming them grant them to a user, and a component user publish them; `#` does not', async () => {
  const [ops, part] = await Promise.all([hashPassword('ops-pw'), hashPassword('part-pw')]);
  const { url } = await brokers.start({
    users: [
      { username: 'ops', password: ops },
      { username: 'part', password: part, component: true },
    ],
    acl: [
      { user: 'ops', topic: 'busbar/alarms/#', access: 'publish' },
      { user: 'ops', topic: 'busbar/stats/secret', access: 'publish', allow: false },
      { topic: '#' },
    ],
  });
  const watcher = await clients.connect(url);
  const seen = record(watcher);
  await subscribe(watcher, 'busbar/#', 1);
  const opsClient = await clients.connect(url, { username: 'ops', password: 'ops-pw' });
  const partClient = await clients.connect(url, { username: 'part', password: 'part-pw' });
  const anonymous = await clients.connect(url);
  await opsClient.publishAsync('busbar/alarms/a/b', 'ops alarm', { qos: 1 });
  await opsClient.publishAsync('busbar/stats/x', 'ops stats', { qos: 1 });
  await opsClient.publishAsync('busbar/stats/secret', 'ops secret', { qos: 1 });
  await partClient.publishAsync('busbar/stats/part', 'component stats', { qos: 1 });
  await anonymous.publishAsync('busbar/alarms/a/b', 'anonymous alarm', { qos: 1 });
  await publishMarker(anonymous, seen, 'busbar/metrics/m/marker');
  const payloads = seen.map((m) => m.payload);
  expect(payloads).toContain('ops alarm');
  expect(payloads).toContain('component stats');
  expect(payloads).not.toContain('ops stats');
  expect(payloads).not.toContain('ops secret');
  expect(payloads).not.toContain('anonymous alarm');
});
