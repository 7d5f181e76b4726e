/**
 * A bridge over MQTT 5 to another busbar's embedded broker: out, in, and both ways with No Local
 * keeping each message from coming back (the loop a `both` rule on the same topics would make).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestBusbar, type TestBusbar } from '../helpers/busbar.js';
import { Clients, messageOn, publishMarker, record, subscribe, waitFor } from '../helpers/mqtt-clients.js';
import { startBridged, type Bridged } from './fixture.js';

let central: TestBusbar;
let bridged: Bridged;
const clients = new Clients();

beforeAll(async () => {
  central = await startTestBusbar({ agent: { enabled: false }, sinks: { history: { enabled: false } } });
  bridged = await startBridged(
    {
      protocolVersion: 5,
      rules: [
        { pattern: 'metrics/#', direction: 'out', qos: 1, localPrefix: 'busbar/', remotePrefix: 'sites/a/' },
        { pattern: 'cmd/#', direction: 'in', qos: 1, localPrefix: 'control/', remotePrefix: 'sites/a/' },
        { pattern: 'sync/#', direction: 'both', qos: 1 },
      ],
    },
    { mosquitto: central },
  );
});

afterAll(async () => {
  await clients.closeAll();
  await bridged?.stop();
  await central?.stop();
});

it('sends busbar/metrics/... out to the other busbar as sites/a/metrics/...', async () => {
  const remote = await clients.connect(central.url, { protocolVersion: 5 });
  const seen = record(remote);
  await subscribe(remote, 'sites/#', 1);
  const local = await clients.connect(bridged.busbar.url, { protocolVersion: 5 });
  await local.publishAsync('busbar/metrics/web1/cpu', 'cpu usage=1', { qos: 1 });
  expect(await messageOn(seen, 'sites/a/metrics/web1/cpu')).toMatchObject({ payload: 'cpu usage=1', qos: 1 });
});

it('brings sites/a/cmd/... in from the other busbar as control/cmd/...', async () => {
  const local = await clients.connect(bridged.busbar.url, { protocolVersion: 5 });
  const seen = record(local);
  await subscribe(local, 'control/#', 1);
  const remote = await clients.connect(central.url, { protocolVersion: 5 });
  await remote.publishAsync('sites/a/cmd/reboot', 'now', { qos: 1 });
  expect(await messageOn(seen, 'control/cmd/reboot')).toMatchObject({ payload: 'now', qos: 1 });
});

it('bridges sync/# both ways, each message once on each side, never back', async () => {
  const local = await clients.connect(bridged.busbar.url, { protocolVersion: 5 });
  const localSeen = record(local);
  await subscribe(local, 'sync/#', 1);
  const remote = await clients.connect(central.url, { protocolVersion: 5 });
  const remoteSeen = record(remote);
  await subscribe(remote, 'sync/#', 1);

  await local.publishAsync('sync/a', 'from edge', { qos: 1 });
  await remote.publishAsync('sync/b', 'from central', { qos: 1 });
  await waitFor(
    () => remoteSeen.some((m) => m.topic === 'sync/a') && localSeen.some((m) => m.topic === 'sync/b'),
    'each message on the other side',
  );
  // Markers across the bridge, each way in turn: central hands the bridge an echo of sync/a before
  // the local marker, and the bridge brings it in before the remote marker that follows.
  await publishMarker(local, remoteSeen, 'sync/marker-local');
  await publishMarker(remote, localSeen, 'sync/marker-remote');
  const count = (seen: typeof localSeen, topic: string): number =>
    seen.filter((m) => m.topic === topic).length;
  expect([count(localSeen, 'sync/a'), count(localSeen, 'sync/b')]).toEqual([1, 1]);
  expect([count(remoteSeen, 'sync/a'), count(remoteSeen, 'sync/b')]).toEqual([1, 1]);
});
