/**
 * A lean MQTT 3.1.1 load generator: raw packets over `net` sockets with TCP_NODELAY, writes batched
 * into one Buffer per tick, no per-message objects. It must cost far less CPU than the brokers it
 * measures, or the benchmark measures itself.
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import {
  DISCONNECT,
  PUBACK_LENGTH,
  PacketParser,
  PacketType,
  encodeConnect,
  encodeSubscribe,
  repeatPublish,
  writePuback,
  type PacketHandler,
  type PublishTemplate,
} from './mqtt-packets.js';

interface Waiter {
  type: number;
  resolve(body: Buffer): void;
}

/** One MQTT connection: CONNECT/CONNACK done, then packets go to whatever handler a role installs. */
export class RawClient {
  private handler: PacketHandler;
  private afterChunk: () => void = () => undefined;
  private waiter: Waiter | undefined;
  private failure: Error | undefined;
  private readonly closed: Promise<void>;

  private constructor(readonly socket: net.Socket) {
    this.handler = (type, flags, chunk, start, end) =>
      this.handshake(type, flags, chunk.subarray(start, end));
    const parser = new PacketParser((type, flags, chunk, start, end) =>
      this.handler(type, flags, chunk, start, end),
    );
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      parser.push(chunk);
      this.afterChunk();
    });
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('error', (error) => {
      this.failure = error;
    });
  }

  static async connect(port: number, clientId: string): Promise<RawClient> {
    const socket = net.connect({ port, host: '127.0.0.1' });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const client = new RawClient(socket);
    try {
      socket.write(encodeConnect(clientId));
      const connack = await client.expect(PacketType.connack);
      // Return code 0 is "Connection Accepted" [MQTT-3.2.2.3].
      if (connack[1] !== 0) throw new Error(`${clientId}: CONNACK return code ${connack[1]}`);
      return client;
    } catch (error) {
      socket.destroy();
      throw error;
    }
  }

  /** Rejects if the broker closes the connection first; the generator never waits forever. */
  expect(type: number, timeoutMs = 10_000): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no packet of type ${type} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      void this.closed.then(() =>
        reject(this.failure ?? new Error(`connection closed waiting for packet ${type}`)),
      );
      this.waiter = {
        type,
        resolve: (body) => {
          clearTimeout(timer);
          resolve(body);
        },
      };
    });
  }

  private handshake(type: number, flags: number, body: Buffer): void {
    if (type === PacketType.publish && (flags & 0x06) === 0x02) {
      // A retained QoS 1 message right after SUBACK still needs its PUBACK [MQTT-3.3.4].
      const at = 2 + ((body[0]! << 8) | body[1]!);
      const ack = Buffer.allocUnsafe(PUBACK_LENGTH);
      writePuback(ack, 0, (body[at]! << 8) | body[at + 1]!);
      this.socket.write(ack);
    }
    if (this.waiter?.type === type) {
      const waiter = this.waiter;
      this.waiter = undefined;
      waiter.resolve(Buffer.from(body));
    }
  }

  /** Replaces the handshake handler; `afterChunk` runs once per TCP chunk, where writes get batched. */
  use(handler: PacketHandler, afterChunk: () => void = () => undefined): void {
    this.handler = handler;
    this.afterChunk = afterChunk;
  }

  async close(): Promise<void> {
    if (!this.socket.destroyed) this.socket.end(DISCONNECT);
    const timer = setTimeout(() => this.socket.destroy(), 2_000);
    await this.closed;
    clearTimeout(timer);
  }
}

/**
 * The single subscriber of the fan-in: counts deliveries whose topic starts with `countPrefix` and,
 * for QoS 1, PUBACKs every delivery. `#` also matches what the broker publishes itself (busbar's
 * own status and statistics topics), which is counted apart in `others`.
 */
export class Subscriber {
  delivered = 0;
  others = 0;
  /** performance.now() of the chunk that carried the latest delivery. */
  lastDeliveryAt = 0;
  private pendingAcks: number[] = [];
  private seen = 0;
  private target = Infinity;
  private onTarget: (() => void) | undefined;

  private constructor(
    private readonly client: RawClient,
    countPrefix: Buffer,
  ) {
    const prefixLength = countPrefix.length;
    client.use(
      (type, flags, chunk, start) => {
        if (type !== PacketType.publish) return;
        // The topic name comes first: a 2-byte length, then UTF-8 [MQTT-3.3.2.1].
        const topicLength = (chunk[start]! << 8) | chunk[start + 1]!;
        let counted = topicLength >= prefixLength;
        for (let i = 0; counted && i < prefixLength; i++) counted = chunk[start + 2 + i] === countPrefix[i];
        if (counted) this.delivered++;
        else this.others++;
        if ((flags & 0x06) === 0x02) {
          // QoS 1: the packet id follows the topic name [MQTT-3.3.2.2].
          const at = start + 2 + topicLength;
          this.pendingAcks.push((chunk[at]! << 8) | chunk[at + 1]!);
        }
      },
      () => this.flush(),
    );
  }

  static async start(
    port: number,
    clientId: string,
    filter: string,
    qos: 0 | 1,
    countPrefix: string,
  ): Promise<Subscriber> {
    const client = await RawClient.connect(port, clientId);
    try {
      client.socket.write(encodeSubscribe(1, filter, qos));
      const suback = await client.expect(PacketType.suback);
      // 0x80 is "Failure" in the SUBACK return codes [MQTT-3.9.3].
      if (suback[2] === 0x80) throw new Error(`${clientId}: SUBSCRIBE ${filter} refused`);
      return new Subscriber(client, Buffer.from(countPrefix));
    } catch (error) {
      client.socket.destroy();
      throw error;
    }
  }

  /** Resolves `callback` once `count` messages have arrived in total. */
  notifyAt(count: number, callback: () => void): void {
    this.target = count;
    this.onTarget = callback;
    if (this.delivered >= count) callback();
  }

  private flush(): void {
    const acks = this.pendingAcks;
    if (acks.length > 0) {
      const out = Buffer.allocUnsafe(acks.length * PUBACK_LENGTH);
      for (let i = 0; i < acks.length; i++) writePuback(out, i * PUBACK_LENGTH, acks[i]!);
      this.client.socket.write(out);
      this.pendingAcks = [];
    }
    if (this.delivered === this.seen) return;
    this.seen = this.delivered;
    this.lastDeliveryAt = performance.now();
    if (this.delivered >= this.target && this.onTarget) {
      const callback = this.onTarget;
      this.onTarget = undefined;
      callback();
    }
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

/** QoS 0: the same pre-encoded chunk written again and again, pausing only for TCP back-pressure. */
export async function publishQos0(
  client: RawClient,
  template: PublishTemplate,
  count: number,
): Promise<void> {
  const perChunk = Math.max(1, Math.floor(16_384 / template.bytes.length));
  const chunk = repeatPublish(template, perChunk);
  const socket = client.socket;
  let left = count;
  while (left > 0) {
    if (socket.destroyed) throw new Error('publisher connection closed by the broker');
    const n = Math.min(perChunk, left);
    left -= n;
    const data = n === perChunk ? chunk : chunk.subarray(0, n * template.bytes.length);
    if (left === 0) {
      await new Promise<void>((resolve, reject) =>
        socket.write(data, (error) => (error ? reject(error) : resolve())),
      );
    } else if (!socket.write(data)) {
      await new Promise<void>((resolve, reject) => {
        const onClose = (): void => reject(new Error('publisher connection closed by the broker'));
        socket.once('close', onClose);
        socket.once('drain', () => {
          socket.off('close', onClose);
          resolve();
        });
      });
    }
  }
}

/**
 * QoS 1: keeps `window` messages in flight and tops the window up once per incoming chunk, so many
 * PUBACKs turn into one write. Resolves once every message is acknowledged; an unexpected or
 * duplicate PUBACK rejects.
 */
export function publishQos1(
  client: RawClient,
  template: PublishTemplate,
  count: number,
  window: number,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const inFlight = new Uint8Array(65_536);
    let nextId = 1;
    let sent = 0;
    let acked = 0;
    let settled = false;
    const fail = (error: Error): void => {
      if (!settled) reject(error);
      settled = true;
    };
    const topUp = (): void => {
      const n = Math.min(window - (sent - acked), count - sent);
      if (n <= 0) return;
      for (let i = 0, id = nextId; i < n; i++, id = id === 65_535 ? 1 : id + 1) inFlight[id] = 1;
      client.socket.write(repeatPublish(template, n, nextId));
      nextId = ((nextId - 1 + n) % 65_535) + 1;
      sent += n;
    };
    client.use(
      (type, _flags, chunk, start) => {
        if (type !== PacketType.puback) return;
        const id = (chunk[start]! << 8) | chunk[start + 1]!;
        if (inFlight[id] !== 1) return fail(new Error(`PUBACK for packet id ${id}, which is not in flight`));
        inFlight[id] = 0;
        acked++;
      },
      () => {
        if (settled) return;
        if (acked === count) {
          settled = true;
          resolve();
        } else topUp();
      },
    );
    client.socket.once('close', () =>
      fail(new Error(`publisher connection closed after ${acked}/${count} PUBACKs`)),
    );
    topUp();
  });
}
