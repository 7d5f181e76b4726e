/**
 * A raw TCP MQTT peer for what mqtt.js will not send (an empty client id without clean session, a
 * lying length header) or to observe exactly when the broker closes a connection.
 */
import net from 'node:net';

export interface RawConnection {
  readonly socket: net.Socket;
  /** Bytes received so far. */
  received(): Buffer;
  /** Resolves once at least `count` bytes have arrived. */
  bytes(count: number, timeoutMs?: number): Promise<Buffer>;
  /** Resolves when the broker closes the connection, with the time it took from now. */
  closed(timeoutMs?: number): Promise<number>;
  destroy(): void;
}

/** `localAddress` (127.0.0.x) makes the connection come from another client address. */
export async function rawConnect(
  port: number,
  host = '127.0.0.1',
  localAddress?: string,
): Promise<RawConnection> {
  const socket = net.connect({ port, host, ...(localAddress === undefined ? {} : { localAddress }) });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  let data = Buffer.alloc(0);
  let isClosed = false;
  socket.on('data', (chunk: Buffer) => (data = Buffer.concat([data, chunk])));
  socket.on('error', () => socket.destroy());
  socket.once('close', () => (isClosed = true));
  const poll = async (done: () => boolean, what: string, timeoutMs: number): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`raw connection: timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  return {
    socket,
    received: () => data,
    async bytes(count, timeoutMs = 10_000) {
      await poll(() => data.length >= count, `${count} bytes`, timeoutMs);
      return data;
    },
    async closed(timeoutMs = 10_000) {
      const start = Date.now();
      await poll(() => isClosed, 'the broker to close the connection', timeoutMs);
      return Date.now() - start;
    },
    destroy: () => socket.destroy(),
  };
}

function utf8(text: string): Buffer {
  const body = Buffer.from(text, 'utf8');
  const length = Buffer.alloc(2);
  length.writeUInt16BE(body.length);
  return Buffer.concat([length, body]);
}

/** MQTT 3.1.1 remaining-length encoding (§2.2.3). */
function remainingLength(value: number): Buffer {
  const bytes: number[] = [];
  do {
    let byte = value % 128;
    value = Math.floor(value / 128);
    if (value > 0) byte |= 0x80;
    bytes.push(byte);
  } while (value > 0);
  return Buffer.from(bytes);
}

/** A CONNECT packet, MQTT 3.1.1, no will; credentials when given. */
export function connectPacket(options: {
  clientId: string;
  clean: boolean;
  keepalive?: number;
  username?: string;
  password?: string;
}): Buffer {
  const keepalive = Buffer.alloc(2);
  keepalive.writeUInt16BE(options.keepalive ?? 60);
  const { username, password } = options;
  const flags =
    (options.clean ? 0x02 : 0x00) | (username === undefined ? 0 : 0x80) | (password === undefined ? 0 : 0x40);
  const body = Buffer.concat([
    utf8('MQTT'),
    Buffer.from([4, flags]),
    keepalive,
    utf8(options.clientId),
    ...(username === undefined ? [] : [utf8(username)]),
    ...(password === undefined ? [] : [utf8(password)]),
  ]);
  return Buffer.concat([Buffer.from([0x10]), remainingLength(body.length), body]);
}

/** The fixed header of a QoS 0 PUBLISH declaring `declaredLength` bytes, and nothing after it. */
export function publishHeader(declaredLength: number): Buffer {
  return Buffer.concat([Buffer.from([0x30]), remainingLength(declaredLength)]);
}

/** A SUBSCRIBE packet for one filter, at QoS 0 unless asked. */
export function subscribePacket(filter: string, messageId = 1, qos: 0 | 1 | 2 = 0): Buffer {
  const id = Buffer.alloc(2);
  id.writeUInt16BE(messageId);
  const body = Buffer.concat([id, utf8(filter), Buffer.from([qos])]);
  return Buffer.concat([Buffer.from([0x82]), remainingLength(body.length), body]);
}
