/** Topic rules against a real Mosquitto: in, out and both, with prefixes remapped each way. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Clients, messageOn, publishMarker, record, subscribe, waitFor } from '../helpers/mqtt-clients.js';
import { startBridged, type Bridged } from './fixture.js';

let bridged: Bridged;
const clients = new Clients();

beforeAll(async () => {
  bridged = await startBridged({
    rules: [
      { pattern: 'metrics/#', direction: 'out', qos: 1, localPrefix: 'busbar/', remotePrefix: 'sites/a/' },
      { pattern: 'cmd/#', direction: 'in', qos: 1, localPrefix: 'control/', remotePrefix: 'sites/a/' },
      { pattern: 'shared/+', direction: 'both', qos: 0, localPrefix: 'local/', remotePrefix: 'central/' },
    ],
  });
});

afterAll(async () => {
  await clients.closeAll();
  await bridged.stop();
});

it('sends out: busbar/metrics/... arrives on the remote as sites/a/metrics/..., retained flag kept', async () => {
  const remote = await clients.connect(bridged.mosquitto.url);
  const seen = record(remote);
  await subscribe(remote, 'sites/#', 1);
  const local = await clients.connect(bridged.busbar.url);
  await local.publishAsync('busbar/metrics/web1/cpu', 'cpu usage=1', { qos: 1 });
  const message = await messageOn(seen, 'sites/a/metrics/web1/cpu');
  expect(message).toMatchObject({ payload: 'cpu usage=1', qos: 1 });
  // Not covered by any out rule: stays local.
  await local.publishAsync('busbar/other/x', 'no', { qos: 1 });
  await local.publishAsync('busbar/metrics/web1/mem', 'mem used=2', { qos: 1 });
  await messageOn(seen, 'sites/a/metrics/web1/mem');
  expect(seen.map((m) => m.topic)).not.toContain('sites/a/other/x');
});

it('brings in: sites/a/cmd/... on the remote arrives locally as control/cmd/...', async () => {
  const local = await clients.connect(bridged.busbar.url);
  const seen = record(local);
  await subscribe(local, 'control/#', 1);
  const remote = await clients.connect(bridged.mosquitto.url);
  await remote.publishAsync('sites/a/cmd/reboot', 'now', { qos: 1 });
  expect(await messageOn(seen, 'control/cmd/reboot')).toMatchObject({ payload: 'now', qos: 1 });
  // An `in` rule does not send out: a local control/cmd message stays local.
  const watcher = await clients.connect(bridged.mosquitto.url);
  const remoteSeen = record(watcher);
  await subscribe(watcher, 'sites/a/cmd/#', 1);
  await local.publishAsync('control/cmd/local-only', 'x', { qos: 1 });
  await publishMarker(remote, remoteSeen, 'sites/a/cmd/marker');
  expect(remoteSeen.map((m) => m.topic)).not.toContain('sites/a/cmd/local-only');
});

it('bridges both ways with each side its own prefix, at the rule QoS', async () => {
  const local = await clients.connect(bridged.busbar.url);
  const localSeen = record(local);
  await subscribe(local, 'local/#', 1);
  const remote = await clients.connect(bridged.mosquitto.url);
  const remoteSeen = record(remote);
  await subscribe(remote, 'central/#', 1);

  await local.publishAsync('local/shared/a', 'from busbar', { qos: 1 });
  expect(await messageOn(remoteSeen, 'central/shared/a')).toMatchObject({ payload: 'from busbar', qos: 0 });
  await remote.publishAsync('central/shared/b', 'from central', { qos: 1 });
  expect(await messageOn(localSeen, 'local/shared/b')).toMatchObject({ payload: 'from central', qos: 0 });
  // `shared/+` is one level: deeper topics are not bridged.
  await remote.publishAsync('central/shared/b/deeper', 'no', { qos: 1 });
  await remote.publishAsync('central/shared/c', 'yes', { qos: 1 });
  await waitFor(() => localSeen.some((m) => m.topic === 'local/shared/c'), 'local/shared/c');
  expect(localSeen.map((m) => m.topic)).not.toContain('local/shared/b/deeper');
});

it('publishes its state retained on busbar/status/bridge/<name>', async () => {
  const local = await clients.connect(bridged.busbar.url);
  const seen = record(local);
  await subscribe(local, 'busbar/status/bridge/central', 1);
  const status = await messageOn(seen, 'busbar/status/bridge/central');
  expect(status.retain).toBe(true);
  expect(JSON.parse(status.payload)).toMatchObject({
    connected: true,
    address: bridged.mosquitto.url,
    queued: 0,
    dropped: 0,
  });
});
