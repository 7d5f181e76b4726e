/**
 * The standalone agent's MQTT link publishes without mqtt-packet's table of packet-id buffers. With
 * mqtt.js's default, the first packet written fills that table with 65,536 two-byte buffers (about
 * 5 MB of heap kept for the life of the process), the largest block of data in `busbar agent`'s
 * heap. Its own file, so that no other client of this process writes a packet before the link does.
 */
import { createRequire } from 'node:module';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { createMqttLink } from '../../agents/host/link-mqtt.js';
import { remoteBusSchema } from '../../config/schema.js';
import { captureLog } from '../helpers/log-capture.js';
import { startMosquitto } from '../helpers/mosquitto.js';
import { waitFor } from '../helpers/mqtt-clients.js';

// The mqtt-packet instance mqtt.js writes with, whatever the layout of node_modules.
const fromMqtt = createRequire(createRequire(import.meta.url).resolve('mqtt'));
const numbers = fromMqtt('mqtt-packet/numbers') as { cache: Record<number, Buffer> };

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

describe('standalone agent MQTT link', () => {
  it('delivers QoS 1 publishes without building the packet-id buffer table', async () => {
    const broker = await startMosquitto();
    cleanup.push(() => broker.stop());
    const log = captureLog('info');
    const link = await createMqttLink({
      config: remoteBusSchema.parse({ url: broker.url }),
      log: log.logger,
      clientId: 'busbar-agent-link-memory',
      will: { topic: 'busbar/status/link-memory', payload: 'offline' },
    });
    cleanup.push(() => link.close());
    await waitFor(() => link.connected, 'the link to connect');

    // Created after the link: the setting is process-wide, so this client does not build it either.
    const watcher = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
    cleanup.push(() => watcher.endAsync(true));
    const received: string[] = [];
    watcher.on('message', (_topic, payload) => received.push(payload.toString()));
    await watcher.subscribeAsync('busbar/metrics/link-memory/#', { qos: 1 });

    const sent = Array.from({ length: 20 }, (_, index) => `system load1=${index}`);
    for (const payload of sent) {
      await link.publish('busbar/metrics/link-memory/system', payload, { qos: 1, retain: false });
    }
    await waitFor(() => received.length === sent.length, 'every publish at the watcher');

    expect(received).toEqual(sent);
    expect(Object.keys(numbers.cache)).toHaveLength(0);
  });
});
