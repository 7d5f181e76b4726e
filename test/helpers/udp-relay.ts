/**
 * A UDP relay in front of an agent (snmpsim, snmpd) that counts the requests it forwards: how many
 * requests a poll takes is read here, from the wire, not from the code that sends them.
 */
import { createSocket, type RemoteInfo } from 'node:dgram';
import { once } from 'node:events';

export interface UdpRelay {
  readonly port: number;
  /** Requests forwarded so far. */
  requests(): number;
  close(): void;
}

export interface UdpRelayOptions {
  /** Holds each answer this long before passing it on (a slow agent or a long round trip). */
  readonly delayMs?: number;
}

export async function startUdpRelay(agentPort: number, options: UdpRelayOptions = {}): Promise<UdpRelay> {
  const socket = createSocket('udp4');
  const upstream = new Map<string, ReturnType<typeof createSocket>>();
  let requests = 0;
  socket.on('message', (message: Buffer, from: RemoteInfo) => {
    requests++;
    const key = `${from.address}:${from.port}`;
    let out = upstream.get(key);
    if (!out) {
      out = createSocket('udp4');
      const answer = (message: Buffer): void => socket.send(message, from.port, from.address);
      out.on('message', (message: Buffer) =>
        options.delayMs ? setTimeout(answer, options.delayMs, message) : answer(message),
      );
      upstream.set(key, out);
    }
    out.send(message, agentPort, '127.0.0.1');
  });
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  return {
    port: socket.address().port,
    requests: () => requests,
    close() {
      for (const out of upstream.values()) out.close();
      socket.close();
    },
  };
}
