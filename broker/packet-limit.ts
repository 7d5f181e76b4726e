/**
 * `broker.maxPacketSize`: a packet whose declared remaining length exceeds it closes the connection,
 * before its body is buffered.
 *
 * Aedes has no such option and mqtt-packet accepts up to 256 MiB, buffering the whole packet first,
 * so one client could make the broker hold a quarter of a gigabyte per connection. The least
 * invasive place to stop it is the client's parser (aedes/lib/client.js creates one per connection
 * as `client._parser`): mqtt-packet's parser runs `_parseLength` once the length bytes have arrived
 * (node_modules/mqtt-packet/parser.js), and an error it emits makes Aedes destroy the connection.
 * So, right after `aedes.handle()` returns the client and before any byte is parsed, that one method
 * is replaced on that parser instance with a checked version. Per connection, not per packet.
 */
import type { Client } from 'aedes';

interface MqttPacketParser {
  packet: { length: number; cmd?: string };
  _parseLength(): boolean;
  _emitError(error: Error): void;
}

/** Returns a function that applies the limit to one new client; called once per connection. */
export function createPacketLimiter(
  maxBytes: number,
  onTooLarge: (client: Client, declaredBytes: number) => void,
): (client: Client) => void {
  let checkedParseLength: ((this: MqttPacketParser & { client: Client }) => boolean) | undefined;

  return function limit(client) {
    const parser = (client as unknown as { _parser?: MqttPacketParser & { client: Client } })._parser;
    if (!parser || typeof parser._parseLength !== 'function' || typeof parser._emitError !== 'function') {
      // Aedes or mqtt-packet changed shape: fail loudly rather than run without the limit.
      throw new Error(
        'cannot enforce maxPacketSize: aedes client has no mqtt-packet parser (_parser._parseLength)',
      );
    }
    if (!checkedParseLength) {
      const original = Object.getPrototypeOf(parser)._parseLength as () => boolean;
      checkedParseLength = function () {
        const complete = original.call(this);
        if (complete && this.packet.length > maxBytes) {
          onTooLarge(this.client, this.packet.length);
          this._emitError(
            new Error(`packet of ${this.packet.length} bytes exceeds maxPacketSize (${maxBytes})`),
          );
          return false;
        }
        return complete;
      };
    }
    parser._parseLength = checkedParseLength;
  };
}
