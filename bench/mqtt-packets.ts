/**
 * The few MQTT 3.1.1 packets the load generator needs, encoded by hand so that the hot loop is a
 * `Buffer.copy` and two byte stores per message instead of an mqtt.js object per message.
 * Section numbers refer to the MQTT 3.1.1 OASIS standard.
 */

export const PacketType = {
  connack: 2,
  publish: 3,
  puback: 4,
  suback: 9,
  pingresp: 13,
} as const;

/** Remaining Length, 1 to 4 bytes of 7 bits each, least significant first [MQTT-2.2.3]. */
export function encodeRemainingLength(length: number): Buffer {
  if (length > 268_435_455) throw new RangeError(`remaining length ${length} exceeds the MQTT maximum`);
  const bytes: number[] = [];
  do {
    let byte = length % 128;
    length = Math.floor(length / 128);
    if (length > 0) byte |= 0x80;
    bytes.push(byte);
  } while (length > 0);
  return Buffer.from(bytes);
}

function utf8String(text: string): Buffer {
  const body = Buffer.from(text, 'utf8');
  const prefix = Buffer.alloc(2);
  prefix.writeUInt16BE(body.length);
  return Buffer.concat([prefix, body]);
}

function packet(firstByte: number, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([firstByte]), encodeRemainingLength(body.length), body]);
}

/** CONNECT with a clean session and keep-alive 0, so a busy generator is never timed out [MQTT-3.1]. */
export function encodeConnect(clientId: string): Buffer {
  const variableHeader = Buffer.concat([
    utf8String('MQTT'),
    Buffer.from([4, 0x02, 0, 0]), // protocol level 4, flags: clean session, keep-alive 0
  ]);
  return packet(0x10, variableHeader, utf8String(clientId));
}

/** SUBSCRIBE to one filter; the fixed header flags must be 0b0010 [MQTT-3.8.1-1]. */
export function encodeSubscribe(packetId: number, filter: string, qos: 0 | 1): Buffer {
  const id = Buffer.alloc(2);
  id.writeUInt16BE(packetId);
  return packet(0x82, id, utf8String(filter), Buffer.from([qos]));
}

export const DISCONNECT = Buffer.from([0xe0, 0x00]);

/** PUBACK: type 4, remaining length 2, packet id [MQTT-3.4]. */
export function writePuback(target: Buffer, offset: number, packetId: number): void {
  target[offset] = 0x40;
  target[offset + 1] = 0x02;
  target[offset + 2] = packetId >> 8;
  target[offset + 3] = packetId & 0xff;
}
export const PUBACK_LENGTH = 4;

/**
 * A PUBLISH encoded once. For QoS 1 the packet id sits at `packetIdOffset` and is patched per copy;
 * QoS 0 packets have no id [MQTT-2.3.1-5].
 */
export interface PublishTemplate {
  readonly bytes: Buffer;
  readonly packetIdOffset: number;
}

export function encodePublish(topic: string, payload: Buffer, qos: 0 | 1): PublishTemplate {
  const topicField = utf8String(topic);
  const id = qos === 1 ? Buffer.from([0, 1]) : Buffer.alloc(0);
  const bytes = packet(0x30 | (qos << 1), topicField, id, payload);
  const headerLength = bytes.length - topicField.length - id.length - payload.length;
  return { bytes, packetIdOffset: qos === 1 ? headerLength + topicField.length : -1 };
}

/** `count` copies of a template back to back, packet ids from `firstId` (wrapping 65535 → 1). */
export function repeatPublish(template: PublishTemplate, count: number, firstId = 1): Buffer {
  const size = template.bytes.length;
  const out = Buffer.allocUnsafe(size * count);
  let id = firstId;
  for (let i = 0; i < count; i++) {
    const at = i * size;
    template.bytes.copy(out, at);
    if (template.packetIdOffset >= 0) {
      out[at + template.packetIdOffset] = id >> 8;
      out[at + template.packetIdOffset + 1] = id & 0xff;
      id = id === 65_535 ? 1 : id + 1;
    }
  }
  return out;
}

/** Called once per complete packet; `body` is [start, end) of `chunk` after the fixed header. */
export type PacketHandler = (type: number, flags: number, chunk: Buffer, start: number, end: number) => void;

/**
 * Incremental parser: fixed header byte, variable Remaining Length, body. A packet split across
 * TCP chunks is kept (only that tail is copied), everything else is handled in place.
 */
export class PacketParser {
  private rest: Buffer | undefined;

  constructor(private readonly onPacket: PacketHandler) {}

  push(chunk: Buffer): void {
    let buf = chunk;
    if (this.rest !== undefined) {
      buf = Buffer.concat([this.rest, chunk]);
      this.rest = undefined;
    }
    const length = buf.length;
    let pos = 0;
    while (pos < length) {
      if (pos + 2 > length) break;
      const first = buf[pos]!;
      let remaining = 0;
      let multiplier = 1;
      let cursor = pos + 1;
      let complete = false;
      while (cursor < length && cursor - pos <= 4) {
        const byte = buf[cursor++]!;
        remaining += (byte & 0x7f) * multiplier;
        multiplier *= 128;
        if ((byte & 0x80) === 0) {
          complete = true;
          break;
        }
      }
      if (!complete) {
        if (cursor - pos > 4) throw new Error('malformed remaining length [MQTT-2.2.3]');
        break;
      }
      const end = cursor + remaining;
      if (end > length) break;
      this.onPacket(first >> 4, first & 0x0f, buf, cursor, end);
      pos = end;
    }
    if (pos < length) this.rest = Buffer.from(buf.subarray(pos));
  }
}
