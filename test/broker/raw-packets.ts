/**
 * MQTT 3.1.1 packets built byte by byte, for what mqtt.js refuses to send: strings that are not
 * UTF-8, wildcards where none may be, reserved flag values, packet id 0. Strings are given as
 * Buffers when their bytes matter.
 */

import { encodeRemainingLength } from '../../bench/mqtt-packets.js';

type Text = string | Buffer;

const bytes = (text: Text): Buffer => (typeof text === 'string' ? Buffer.from(text, 'utf8') : text);

/** A length-prefixed string or binary field (§1.5.3). */
export function field(text: Text): Buffer {
  const body = bytes(text);
  const length = Buffer.alloc(2);
  length.writeUInt16BE(body.length);
  return Buffer.concat([length, body]);
}

/** A packet from its first byte and its body. */
export function packet(firstByte: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([firstByte]), encodeRemainingLength(body.length), body]);
}

function uint16(value: number): Buffer {
  const out = Buffer.alloc(2);
  out.writeUInt16BE(value);
  return out;
}

export interface ConnectFields {
  readonly clientId: Text;
  readonly clean?: boolean;
  readonly will?: { topic: Text; payload?: string; qos?: number; retain?: boolean };
  readonly username?: Text;
  readonly password?: string;
  /** Sets the password flag without a username (refused in 3.1.1, [MQTT-3.1.2-22]). */
  readonly passwordFlagOnly?: boolean;
  readonly protocolVersion?: 3 | 4;
}

export function connect(fields: ConnectFields): Buffer {
  const version = fields.protocolVersion ?? 4;
  let flags = fields.clean === false ? 0 : 0x02;
  const tail: Buffer[] = [field(fields.clientId)];
  if (fields.will) {
    flags |= 0x04 | ((fields.will.qos ?? 0) << 3) | (fields.will.retain ? 0x20 : 0);
    tail.push(field(fields.will.topic), field(fields.will.payload ?? 'gone'));
  }
  if (fields.username !== undefined) {
    flags |= 0x80;
    tail.push(field(fields.username));
  }
  if (fields.password !== undefined) {
    flags |= 0x40;
    tail.push(field(fields.password));
  }
  if (fields.passwordFlagOnly) {
    flags |= 0x40;
    tail.push(field('secret'));
  }
  const protocol = version === 3 ? field('MQIsdp') : field('MQTT');
  return packet(0x10, Buffer.concat([protocol, Buffer.from([version, flags]), uint16(60), ...tail]));
}

export function publish(
  topic: Text,
  options: { qos?: 0 | 1 | 2; messageId?: number; payload?: string } = {},
): Buffer {
  const qos = options.qos ?? 0;
  const id = qos > 0 ? uint16(options.messageId ?? 1) : Buffer.alloc(0);
  return packet(0x30 | (qos << 1), Buffer.concat([field(topic), id, Buffer.from(options.payload ?? 'x')]));
}

export function subscribe(filter: Text, messageId = 1, qos = 0): Buffer {
  return packet(0x82, Buffer.concat([uint16(messageId), field(filter), Buffer.from([qos])]));
}

export function unsubscribe(filter: Text, messageId = 1): Buffer {
  return packet(0xa2, Buffer.concat([uint16(messageId), field(filter)]));
}

/** PUBACK, PUBREC, PUBREL or PUBCOMP for one packet id. */
export function ack(type: 'puback' | 'pubrec' | 'pubrel' | 'pubcomp', messageId: number): Buffer {
  const first = { puback: 0x40, pubrec: 0x50, pubrel: 0x62, pubcomp: 0x70 }[type];
  return packet(first, uint16(messageId));
}

export const PINGREQ = Buffer.from([0xc0, 0x00]);
export const DISCONNECT = Buffer.from([0xe0, 0x00]);

/** Bytes that are not UTF-8: a lone continuation byte and an overlong `/` [MQTT-1.5.3-1]. */
export const NOT_UTF8 = Buffer.from([0x61, 0x80, 0x62, 0xc0, 0xaf]);
/** UTF-16 surrogate U+D800 encoded in UTF-8 (CESU), which UTF-8 forbids [MQTT-1.5.3-1]. */
export const SURROGATE = Buffer.from([0x61, 0xed, 0xa0, 0x80]);
/** A string carrying U+0000 [MQTT-1.5.3-2]. */
export const WITH_NUL = Buffer.from('a\u0000b', 'utf8');
