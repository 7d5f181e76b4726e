/**
 * How many MQTT connections the listeners hold: at most `maxConnections` over all of them and
 * `maxConnectionsPerAddress` from one client address. A socket beyond either is destroyed as it
 * arrives, before a byte of it is read (no TLS handshake, no WebSocket upgrade, no CONNECT), counted
 * on `<base>/stats/broker` and logged at a bounded rate. Without caps, ~20,000 half-open
 * connections took every file descriptor and the broker refused everyone with nothing logged.
 * The caps count sockets, so a client still in its TLS handshake or before CONNECT counts; the
 * connect timeout (`broker.connectTimeout`) closes those that never get further.
 */
import type net from 'node:net';
import { plainAddress } from '../core/util/address.js';
import { LogThrottle } from '../core/util/log-throttle.js';
import type { Logger } from '../core/runtime/logger.js';
import { Tally } from '../core/util/tally.js';
import type { BrokerConfig } from './config.js';
import type { EdgeCounters } from './sys-stats.js';

type Limits = Pick<BrokerConfig, 'maxConnections' | 'maxConnectionsPerAddress'>;

/** Takes each new socket of every listener; false when it was refused (and destroyed). */
export type AdmitConnection = (socket: net.Socket, listener: string) => boolean;

export function limitConnections(limits: Limits, counters: EdgeCounters, log: Logger): AdmitConnection {
  const refusals = new LogThrottle(1, 10);
  const perAddress = new Tally(limits.maxConnectionsPerAddress);
  return (socket, listener) => {
    const address = plainAddress(socket.remoteAddress ?? '');
    const refuse = (key: keyof Limits): false => {
      counters.connectionsRefused++;
      refusals.warn(
        log,
        { remoteAddress: address, listener, limit: limits[key] },
        `MQTT connection refused: ${key} reached`,
        'refusalsNotLogged',
      );
      socket.destroy();
      return false;
    };
    if (counters.connections >= limits.maxConnections) return refuse('maxConnections');
    if (!perAddress.add(address)) return refuse('maxConnectionsPerAddress');
    counters.connections++;
    socket.once('close', () => {
      counters.connections--;
      perAddress.remove(address);
    });
    return true;
  };
}
