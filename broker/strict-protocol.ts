/**
 * Closes the connection of a client sending what MQTT 3.1.1 calls malformed, as the spec requires
 * [MQTT-4.8.0-1] and as Mosquitto does. mqtt-packet (node_modules/mqtt-packet/parser.js) and Aedes
 * refuse some malformed packets themselves (reserved flag bits, a wildcard in a PUBLISH topic) but
 * accept, and pass on to subscribers, retained storage or the will:
 * - strings that are not well-formed UTF-8 [MQTT-1.5.3-1] or contain U+0000 [MQTT-1.5.3-2], in
 *   client ids, usernames, will topics, topic names and filters: mqtt-packet decodes them with
 *   replacement characters, so the raw bytes are checked as each string is parsed;
 * - a will topic with wildcards or empty: it is the topic name of a PUBLISH to come [MQTT-3.3.2-2],
 *   [MQTT-4.7.3-1]; will QoS 3 [MQTT-3.1.2-14];
 * - the password flag without the username flag in 3.1.1 [MQTT-3.1.2-22];
 * - packet id 0 where one is required: QoS 1/2 PUBLISH, SUBSCRIBE, UNSUBSCRIBE [MQTT-2.3.1-1], and
 *   the PUBACK, PUBREC, PUBREL, PUBCOMP answering them (Mosquitto refuses those too).
 * MQTT 5 is not checked separately: Aedes 1.2 refuses MQTT 5 CONNECTs (CONNACK 1).
 *
 * Like packet-limit.ts, this acts on the parser Aedes creates per connection (`client._parser`),
 * right after `aedes.handle()` returns and before any byte is parsed: `_parseString` records a bad
 * string on the packet being built, and the 'packet' listener Aedes registered is wrapped so that a
 * malformed packet never reaches it; the parser's error then makes Aedes destroy the connection.
 * On the packet path this costs one regular-expression test per string and a switch per packet.
 */
import { isUtf8 } from 'node:buffer';
import type { EventEmitter } from 'node:events';
import type { Client } from 'aedes';

/** Why a packet is malformed, citing the spec; logged and counted. */
export type Violation = string;

interface ParsedPacket {
  cmd?: string;
  qos?: number;
  messageId?: number;
  topic?: string;
  protocolVersion?: number;
  username?: string;
  password?: Buffer;
  will?: { topic?: string; qos?: number };
  [BAD_STRING]?: Violation;
}

interface BufferList {
  slice(start: number, end: number): Buffer;
}

interface MqttPacketParser extends EventEmitter {
  packet: ParsedPacket;
  _list: BufferList;
  _pos: number;
  _parseString(): string | null;
  _emitError(error: Error): void;
}

const BAD_STRING = Symbol('busbar.badString');

/** Replacement character (what invalid bytes decode to) or U+0000: only then are the bytes read. */
const SUSPECT = /[\u0000\ufffd]/;

function hasWildcard(topic: string): boolean {
  return topic.includes('+') || topic.includes('#');
}

/** What is wrong with a string whose bytes lie between `start` and `end` in the parser's buffer. */
function badString(
  parser: MqttPacketParser,
  text: string,
  start: number,
  end: number,
): Violation | undefined {
  if (!SUSPECT.test(text)) return undefined;
  if (text.includes('\u0000')) return 'U+0000 in a UTF-8 string [MQTT-1.5.3-2]';
  // A genuine U+FFFD is valid; the bytes say whether it came from invalid UTF-8.
  if (!isUtf8(parser._list.slice(start, end))) return 'string is not well-formed UTF-8 [MQTT-1.5.3-1]';
  return undefined;
}

const parseStrings = new WeakMap<() => string | null, () => string | null>();

function checkedParseString(original: () => string | null): () => string | null {
  let checked = parseStrings.get(original);
  if (checked === undefined) {
    checked = function (this: MqttPacketParser): string | null {
      const start = this._pos + 2; // after the two length bytes
      const text = original.call(this);
      if (text !== null && this.packet[BAD_STRING] === undefined) {
        const violation = badString(this, text, start, this._pos);
        if (violation !== undefined) this.packet[BAD_STRING] = violation;
      }
      return text;
    };
    parseStrings.set(original, checked);
  }
  return checked;
}

/** The rule a parsed packet breaks, or undefined. */
export function violation(packet: ParsedPacket): Violation | undefined {
  const bad = packet[BAD_STRING];
  if (bad !== undefined) return bad;
  switch (packet.cmd) {
    case 'publish':
      if ((packet.qos ?? 0) > 0 && packet.messageId === 0)
        return 'QoS > 0 PUBLISH with packet id 0 [MQTT-2.3.1-1]';
      if (hasWildcard(packet.topic ?? '')) return 'wildcard in a PUBLISH topic [MQTT-3.3.2-2]';
      return undefined;
    case 'subscribe':
    case 'unsubscribe':
    case 'puback':
    case 'pubrec':
    case 'pubrel':
    case 'pubcomp':
      return packet.messageId === 0
        ? `${packet.cmd.toUpperCase()} with packet id 0 [MQTT-2.3.1-1]`
        : undefined;
    case 'connect':
      return connectViolation(packet);
    default:
      return undefined;
  }
}

function connectViolation(packet: ParsedPacket): Violation | undefined {
  const will = packet.will;
  if (will !== undefined) {
    if (will.qos === 3) return 'will QoS 3 [MQTT-3.1.2-14]';
    if (!will.topic) return 'empty will topic [MQTT-4.7.3-1]';
    if (hasWildcard(will.topic)) return 'wildcard in the will topic [MQTT-3.3.2-2]';
  }
  if (packet.protocolVersion !== 5 && packet.password !== undefined && packet.username === undefined) {
    return 'password flag without username flag [MQTT-3.1.2-22]';
  }
  return undefined;
}

/**
 * Returns a function that makes one new client's parser strict; called once per connection.
 * `onMalformed` is told the client and the rule before the connection is closed.
 */
export function createProtocolChecker(
  onMalformed: (client: Client, rule: Violation) => void,
): (client: Client) => void {
  return function strict(client) {
    const parser = (client as unknown as { _parser?: MqttPacketParser })._parser;
    const original = parser && (Object.getPrototypeOf(parser) as MqttPacketParser)._parseString;
    if (!parser || typeof original !== 'function' || typeof parser._emitError !== 'function') {
      // Aedes or mqtt-packet changed shape: fail loudly rather than run without the checks.
      throw new Error('cannot check MQTT packets: aedes client has no mqtt-packet parser (_parser)');
    }
    parser._parseString = checkedParseString(original);
    const handlers = parser.listeners('packet') as Array<(packet: ParsedPacket) => void>;
    parser.removeAllListeners('packet');
    parser.on('packet', (packet: ParsedPacket) => {
      const rule = violation(packet);
      if (rule === undefined) {
        for (const handle of handlers) handle.call(parser, packet);
        return;
      }
      onMalformed(client, rule);
      // The parser stops at its error, and Aedes closes the connection on it (lib/client.js).
      parser._emitError(new Error(`malformed ${packet.cmd ?? 'packet'}: ${rule}`));
    });
  };
}
