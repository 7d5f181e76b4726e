/**
 * Store and forward: while Mosquitto is down, QoS 1 messages wait in the bridge's SQLite queue; when
 * it is back on the same port they all arrive, once each and in order. Mosquitto keeps the watcher's
 * session across its restart (persistence on), so nothing depends on who reconnects first.
 */
import { chmod } from 'node:fs/promises';
import { afterEach, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { startMosquitto, type MosquittoServer } from '../helpers/mosquitto.js';
import {
  Clients,
  delay,
  publishMarker,
  record,
  subscribe,
  waitFor,
  type ReceivedMessage,
} from '../helpers/mqtt-clients.js';
import { tempDir } from '../helpers/process.js';
import { startBridged, type BridgeInput, type Bridged } from './fixture.js';

const clients = new Clients();
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  await clients.closeAll();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const BRIDGE: BridgeInput = {
  rules: [
    { pattern: 'metrics/#', direction: 'out', qos: 1, localPrefix: 'busbar/', remotePrefix: 'sites/a/' },
  ],
  reconnectDelay: '200ms',
  maxReconnectDelay: '1s',
  statusInterval: '100ms',
};

/** A Mosquitto that saves sessions and queued messages when stopped, in `dir`. */
async function persistentMosquitto(dir: string, port?: number): Promise<MosquittoServer> {
  // Started as root, Mosquitto drops to its own user, which must be able to write the database.
  await chmod(dir, 0o777);
  const server = await startMosquitto({
    port,
    extraConfig: `persistence true\npersistence_location ${dir}/\nautosave_interval 0`,
  });
  return server;
}

/** A watcher on Mosquitto with a persistent session, reconnecting quickly. */
async function watch(url: string): Promise<{ client: MqttClient; seen: ReceivedMessage[] }> {
  const client = await clients.connect(url, { clientId: 'watcher', clean: false, reconnectPeriod: 100 });
  const seen = record(client);
  await subscribe(client, 'sites/#', 1);
  return { client, seen };
}

async function publishSequence(url: string, from: number, count: number): Promise<void> {
  const device = await clients.connect(url);
  for (let i = from; i < from + count; i += 1) {
    await device.publishAsync('busbar/metrics/seq/n', String(i), { qos: 1 });
  }
  await device.endAsync();
}

function sequence(seen: ReceivedMessage[]): number[] {
  return seen.filter((m) => m.topic === 'sites/a/metrics/seq/n').map((m) => Number(m.payload));
}

function range(from: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => from + i);
}

async function lastStatus(bridged: Bridged): Promise<Record<string, unknown>> {
  const local = await clients.connect(bridged.busbar.url);
  const seen = record(local);
  await subscribe(local, 'busbar/status/bridge/central', 1);
  await waitFor(() => seen.length > 0, 'bridge status');
  await local.endAsync();
  return JSON.parse(seen.at(-1)!.payload) as Record<string, unknown>;
}

/**
 * The bridge's status once it has every value in `expected` (it is republished every 100 ms when it
 * changed), or the last one read after `timeoutMs`, for the caller's expect to show the difference.
 */
async function statusReaching(
  bridged: Bridged,
  expected: Record<string, unknown>,
  timeoutMs = 10_000,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await lastStatus(bridged);
    const reached = Object.entries(expected).every(([key, value]) => status[key] === value);
    if (reached || Date.now() > deadline) return status;
    await delay(100);
  }
}

it('delivers every QoS 1 message sent during an outage once and in order after Mosquitto restarts', async () => {
  const dir = await tempDir('mosquitto-data');
  cleanups.push(dir.remove);
  let mosquitto = await persistentMosquitto(dir.path);
  cleanups.push(() => mosquitto.stop());
  const { seen } = await watch(mosquitto.url);
  const bridged = await startBridged(BRIDGE, { mosquitto });
  cleanups.push(bridged.stop);

  await publishSequence(bridged.busbar.url, 0, 50);
  await waitFor(() => sequence(seen).length === 50, 'the first 50 messages');
  // Let every PUBACK of these land (bridge → Mosquitto, Mosquitto → watcher): one still in flight
  // when Mosquitto stops is a QoS 1 redelivery, allowed, and not what this test is about.
  expect(await statusReaching(bridged, { connected: true, queued: 0 })).toMatchObject({
    connected: true,
    queued: 0,
  });

  await mosquitto.stop();
  await waitFor(() => bridged.busbar.log.find('bridge connection lost').length > 0, 'the outage noticed');
  await publishSequence(bridged.busbar.url, 50, 500);
  await waitFor(() => bridged.busbar.log.find('bridge connection problem').length > 0, 'a failed reconnect');
  const during = await statusReaching(bridged, { connected: false, queued: 500 });
  expect(during).toMatchObject({ connected: false, queued: 500, dropped: 0 });

  mosquitto = await persistentMosquitto(dir.path, mosquitto.port);
  await bridged.connected(2);
  await waitFor(() => sequence(seen).length >= 550, 'the 500 queued messages', 10_000);
  // Anything sent twice would arrive before a marker sent after it over the same bridge.
  const device = await clients.connect(bridged.busbar.url);
  await publishMarker(device, seen, 'busbar/metrics/seq/marker');
  expect(sequence(seen)).toEqual(range(0, 550));
  expect(await statusReaching(bridged, { connected: true, queued: 0 })).toMatchObject({
    connected: true,
    queued: 0,
    dropped: 0,
  });
}, 60_000); // several waits for a restart and a queue, on a possibly loaded machine

it('keeps the queue across a busbar restart: what was queued goes out from the next busbar', async () => {
  const mosquittoDir = await tempDir('mosquitto-data');
  const queueDir = await tempDir('bridge-queue');
  cleanups.push(mosquittoDir.remove, queueDir.remove);
  let mosquitto = await persistentMosquitto(mosquittoDir.path);
  cleanups.push(() => mosquitto.stop());
  const { seen } = await watch(mosquitto.url);
  const first = await startBridged(BRIDGE, { mosquitto, dataDir: queueDir.path });
  await mosquitto.stop();
  await waitFor(() => first.busbar.log.find('bridge connection lost').length > 0, 'the outage noticed');
  await publishSequence(first.busbar.url, 0, 200);
  expect(await statusReaching(first, { queued: 200 })).toMatchObject({ queued: 200 });
  await first.stop();

  mosquitto = await persistentMosquitto(mosquittoDir.path, mosquitto.port);
  const second = await startBridged(BRIDGE, { mosquitto, dataDir: queueDir.path });
  cleanups.push(second.stop);
  await waitFor(() => sequence(seen).length >= 200, 'the 200 queued messages', 10_000);
  const device = await clients.connect(second.busbar.url);
  await publishMarker(device, seen, 'busbar/metrics/seq/marker');
  expect(sequence(seen)).toEqual(range(0, 200));
}, 60_000);
