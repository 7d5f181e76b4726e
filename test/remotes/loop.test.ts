/**
 * Loop prevention: a `both` rule with the same topics on each side is the classic bridge loop (the
 * remote hands our own message back, we bring it in, send it out again...). Each message must cross
 * once and be seen once on each side, over MQTT 3.1.1 (echo memory) and MQTT 5 (No Local + memory).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Clients, delay, publishMarker, record, subscribe, waitFor } from '../helpers/mqtt-clients.js';
import { startBridged, type Bridged } from './fixture.js';

describe.each([4, 5] as const)('MQTT version %i to the remote', (protocolVersion) => {
  let bridged: Bridged;
  const clients = new Clients();

  beforeAll(async () => {
    bridged = await startBridged({
      protocolVersion,
      statusInterval: '100ms',
      rules: [{ pattern: 'sync/#', direction: 'both', qos: 1 }],
    });
  });

  afterAll(async () => {
    await clients.closeAll();
    await bridged.stop();
  });

  it('sends a message each way exactly once, never back', async () => {
    const local = await clients.connect(bridged.busbar.url);
    const localSeen = record(local);
    await subscribe(local, 'sync/#', 1);
    const remote = await clients.connect(bridged.mosquitto.url);
    const remoteSeen = record(remote);
    await subscribe(remote, 'sync/#', 1);

    await local.publishAsync('sync/a', 'from busbar', { qos: 1 });
    await remote.publishAsync('sync/b', 'from central', { qos: 1 });
    await waitFor(
      () => remoteSeen.some((m) => m.topic === 'sync/a') && localSeen.some((m) => m.topic === 'sync/b'),
      'each message on the other side',
    );
    // A loop would repeat them many times within milliseconds; give it time, then fence with markers.
    await delay(300);
    await publishMarker(local, localSeen, 'sync/local-marker');
    await publishMarker(remote, remoteSeen, 'sync/remote-marker');
    const count = (seen: typeof localSeen, topic: string): number =>
      seen.filter((m) => m.topic === topic).length;
    expect([count(localSeen, 'sync/a'), count(localSeen, 'sync/b')]).toEqual([1, 1]);
    expect([count(remoteSeen, 'sync/a'), count(remoteSeen, 'sync/b')]).toEqual([1, 1]);
  });

  it('still sends a repeated payload that did not come over the bridge', async () => {
    const remote = await clients.connect(bridged.mosquitto.url);
    const remoteSeen = record(remote);
    await subscribe(remote, 'sync/#', 1);
    const local = await clients.connect(bridged.busbar.url);
    for (let i = 0; i < 3; i += 1) await local.publishAsync('sync/same', 'same payload', { qos: 1 });
    await waitFor(() => remoteSeen.filter((m) => m.topic === 'sync/same').length === 3, 'three copies');
    await delay(200);
    await publishMarker(local, remoteSeen, 'sync/marker');
    expect(remoteSeen.filter((m) => m.topic === 'sync/same')).toHaveLength(3);
  });
});
