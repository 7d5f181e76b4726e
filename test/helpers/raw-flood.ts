/**
 * An MQTT 3.1.1 client on a bare socket that sends a whole flood of QoS 0 publishes in one write, as
 * a device or bridge with no window does: the broker then reads thousands of PUBLISH packets per
 * socket read, which mqtt.js (one write per packet, each waited for) does not produce.
 */
import net from 'node:net';
import { generate } from 'mqtt-packet';

/** Connects as `clientId` (clean session) and resolves once the CONNACK arrived. */
export async function connectRaw(port: number, clientId: string): Promise<net.Socket> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const connack = new Promise<void>((resolve) => socket.once('data', () => resolve()));
  socket.write(
    generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clientId, clean: true, keepalive: 0 }),
  );
  await connack;
  return socket;
}

/** Writes every message as a QoS 0 PUBLISH, all in one write. */
export function floodQos0(socket: net.Socket, messages: readonly { topic: string; payload: string }[]): void {
  socket.write(
    Buffer.concat(
      messages.map(({ topic, payload }) =>
        generate({ cmd: 'publish', topic, payload, qos: 0, retain: false, dup: false }),
      ),
    ),
  );
}
