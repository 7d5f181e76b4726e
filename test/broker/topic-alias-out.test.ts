/**
 * Topic aliases from the broker to an MQTT 5 client that accepts them (its Topic Alias Maximum):
 * the first message on a topic sets an alias, later ones carry it with an empty topic; no more
 * aliases than the client allows, nor than busbar's `topicAliasMaximum`; none for other clients.
 */
import type { IClientOptions, MqttClient } from 'mqtt';
import { afterEach, expect, it } from 'vitest';
import { Clients, publishMarker, record, subscribe } from '../helpers/mqtt-clients.js';
import { Brokers } from './fixtures.js';

const brokers = new Brokers();
const clients = new Clients();
afterEach(async () => {
  await clients.closeAll();
  await brokers.closeAll();
});

interface Wire {
  topic: string;
  alias: number | undefined;
}

/** A v5 subscriber to alias/#, recording each PUBLISH as it came on the wire and as delivered. */
async function subscriber(url: string, options: IClientOptions) {
  const wire: Wire[] = [];
  const client: MqttClient = await clients.connect(url, { protocolVersion: 5, ...options }, (c) =>
    // 'packetreceive' fires before mqtt.js resolves an alias into the packet's topic.
    c.on('packetreceive', (packet) => {
      if (packet.cmd === 'publish') wire.push({ topic: packet.topic, alias: packet.properties?.topicAlias });
    }),
  );
  const seen = record(client);
  await subscribe(client, 'alias/#', 1);
  return { wire, seen };
}

async function publishTwice(url: string, topics: string[], seen: ReturnType<typeof record>): Promise<void> {
  const sender = await clients.connect(url, { protocolVersion: 5 });
  for (const topic of topics) {
    await sender.publishAsync(topic, 'first', { qos: 1 });
    await sender.publishAsync(topic, 'again', { qos: 0 });
  }
  await publishMarker(sender, seen, 'alias/marker');
}

it('aliases the first topics up to the client maximum, and the client reads every topic back', async () => {
  const { url } = await brokers.start();
  const { wire, seen } = await subscriber(url, { properties: { topicAliasMaximum: 2 } });
  await publishTwice(url, ['alias/one', 'alias/two', 'alias/three'], seen);
  expect(wire.slice(0, 6)).toEqual([
    { topic: 'alias/one', alias: 1 },
    { topic: '', alias: 1 },
    { topic: 'alias/two', alias: 2 },
    { topic: '', alias: 2 },
    { topic: 'alias/three', alias: undefined },
    { topic: 'alias/three', alias: undefined },
  ]);
  expect(seen.slice(0, 6).map((m) => m.topic)).toEqual([
    'alias/one',
    'alias/one',
    'alias/two',
    'alias/two',
    'alias/three',
    'alias/three',
  ]);
});

it('uses no more aliases than busbar allows, and none for a client that accepts none', async () => {
  const { url } = await brokers.start({ topicAliasMaximum: 1 });
  const asks = await subscriber(url, { properties: { topicAliasMaximum: 5 } });
  const plain = await subscriber(url, {});
  await publishTwice(url, ['alias/one', 'alias/two'], plain.seen);
  await publishMarker(await clients.connect(url), asks.seen, 'alias/marker2');
  expect(asks.wire.filter((m) => m.alias !== undefined).map((m) => m.alias)).toEqual([1, 1]);
  expect(plain.wire.every((m) => m.alias === undefined && m.topic !== '')).toBe(true);
  expect(plain.wire.length).toBeGreaterThanOrEqual(4);
});
