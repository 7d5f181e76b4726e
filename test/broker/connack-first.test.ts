/**
 * [MQTT-3.2.0-1] The first packet a server sends is the CONNACK. Aedes restores a resumed session's
 * subscriptions before it writes the CONNACK; a message arriving in between (with a Redis emitter,
 * a publish acknowledged earlier comes back from Redis just then) must wait for the CONNACK. Sent
 * first, it dead-locks mqtt.js: it answers the PUBLISH with a PUBACK it holds until connected, and
 * reads nothing more, not even the CONNACK. The window is opened here on purpose by holding the
 * connect in the store's `delWill`, which Aedes calls after restoring the subscriptions.
 */
import net from 'node:net';
import { Aedes } from 'aedes';
import mqttPacket from 'mqtt-packet';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/mqtt-clients.js';
import { connectPacket, rawConnect, subscribePacket, type RawConnection } from './raw.js';

type ConnectingClient = { id: string; _heldUntilConnack?: unknown[] };
type Persistence = { delWill(client: ConnectingClient): Promise<unknown> };

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startAedes(): Promise<{ aedes: Aedes; port: number }> {
  const aedes = await Aedes.createBroker();
  const server = net.createServer((socket) => aedes.handle(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () => new Promise<void>((resolve) => aedes.close(() => resolve())),
    () => new Promise<void>((resolve) => server.close(() => resolve())),
  );
  return { aedes, port: (server.address() as net.AddressInfo).port };
}

/** The packets received so far, decoded as MQTT 3.1.1. */
function packets(raw: RawConnection): mqttPacket.Packet[] {
  const parser = mqttPacket.parser({ protocolVersion: 4 });
  const decoded: mqttPacket.Packet[] = [];
  parser.on('packet', (packet) => decoded.push(packet));
  parser.parse(raw.received());
  return decoded;
}

describe('a resumed session', () => {
  it('gets its CONNACK before a message that arrives while the session is being restored', async () => {
    const { aedes, port } = await startAedes();
    const first = await rawConnect(port);
    first.socket.write(connectPacket({ clientId: 'resumed', clean: false }));
    first.socket.write(subscribePacket('held/#', 1, 1));
    await waitFor(() => packets(first).some((p) => p.cmd === 'suback'), 'the SUBACK');
    first.destroy();
    await waitFor(() => aedes.connectedClients === 0, 'the first connection gone');

    // Hold the second connect after its subscriptions are restored; publish meanwhile.
    const persistence = (aedes as unknown as { persistence: Persistence }).persistence;
    const delWill = persistence.delWill.bind(persistence);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    cleanups.push(() => release());
    let connecting: ConnectingClient | undefined;
    persistence.delWill = async (client) => {
      if (client.id === 'resumed') {
        connecting = client;
        await gate;
      }
      return delWill(client);
    };
    const again = await rawConnect(port);
    again.socket.write(connectPacket({ clientId: 'resumed', clean: false }));
    await waitFor(() => connecting !== undefined, 'the session restored');
    aedes.publish(
      { cmd: 'publish', topic: 'held/x', payload: Buffer.from('live'), qos: 1, retain: false, dup: false },
      () => undefined,
    );
    // The message reached the client's delivery: written (the defect) or held for the CONNACK.
    await waitFor(
      () => again.received().length > 0 || (connecting?._heldUntilConnack?.length ?? 0) > 0,
      'the live message at the connecting client',
    );
    release();

    await waitFor(() => packets(again).some((p) => p.cmd === 'publish'), 'the live message');
    const received = packets(again);
    expect(received[0]?.cmd).toBe('connack');
    expect((received[0] as mqttPacket.IConnackPacket).sessionPresent).toBe(true);
    const publish = received.find((p): p is mqttPacket.IPublishPacket => p.cmd === 'publish');
    expect(publish?.payload.toString()).toBe('live');
    again.destroy();
  });
});
