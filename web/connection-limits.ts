/**
 * What one client can hold of the HTTP server. Without limits, thousands of half-sent requests
 * (slowloris) stay open until the process runs out of file descriptors, and MQTT is refused with
 * them. So: a request must send its headers within `headersTimeout` and its body within
 * `requestTimeout` (else 408 and the connection closes), an idle keep-alive connection closes
 * after `keepAliveTimeout`, a connection silent both ways after `idleTimeout` (a client that stops
 * reading an answer); at most `maxConnections` connections are open, `maxConnectionsPerAddress`
 * from one address (a trusted proxy carries many clients: only the total applies to it), and live
 * streams, which stay open for hours, have their own caps. What is refused is closed at once,
 * counted on `<base>/stats/web` and logged at a bounded rate.
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { plainAddress } from '../core/util/address.js';
import { LogThrottle } from '../core/util/log-throttle.js';
import type { Logger } from '../core/runtime/logger.js';
import { Tally } from '../core/util/tally.js';
import type { ProxyTrust } from './client-address.js';
import type { WebConfig } from './config.js';
import type { WebCounters } from './counters.js';

type Limits = Pick<
  WebConfig,
  | 'headersTimeout'
  | 'requestTimeout'
  | 'keepAliveTimeout'
  | 'idleTimeout'
  | 'maxConnections'
  | 'maxConnectionsPerAddress'
  | 'maxEventStreams'
  | 'maxEventStreamsPerAddress'
>;

const CLIENT_ERROR_ANSWERS: Readonly<Record<string, string>> = {
  ERR_HTTP_REQUEST_TIMEOUT: 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n',
  HPE_HEADER_OVERFLOW: 'HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n\r\n',
};
const BAD_REQUEST = 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n';

export interface ConnectionLimits {
  /**
   * A place for one live stream from `address` (the client's, through trusted proxies); the
   * function that gives it back, or undefined when a cap is reached (counted and logged).
   */
  openStream(address: string): (() => void) | undefined;
}

/** Applies the limits to `server` (created with `httpServerOptions`). */
export function limitConnections(
  server: Server,
  limits: Limits,
  trust: ProxyTrust,
  counters: WebCounters,
  log: Logger,
): ConnectionLimits {
  const refusals = new LogThrottle(1, 10);
  const refused = (fields: Record<string, unknown>, message: string): void =>
    refusals.warn(log, fields, message, 'refusalsNotLogged');

  server.keepAliveTimeout = limits.keepAliveTimeout;
  server.timeout = limits.idleTimeout;
  // Beyond it Node closes a new connection before reading a byte, and emits 'drop'.
  server.maxConnections = limits.maxConnections;
  server.on('drop', (data?: { remoteAddress?: string }) => {
    counters.connectionsRefused++;
    refused(
      { remoteAddress: data?.remoteAddress, limit: limits.maxConnections },
      'web connection refused: maxConnections reached',
    );
  });

  const perAddress = new Tally(limits.maxConnectionsPerAddress);
  server.on('connection', (socket: Socket) => {
    const address = plainAddress(socket.remoteAddress ?? '');
    if (trust.trusts(address)) {
      counters.connections++;
      socket.once('close', () => counters.connections--);
      return;
    }
    if (!perAddress.add(address)) {
      counters.connectionsRefused++;
      refused(
        { remoteAddress: address, limit: limits.maxConnectionsPerAddress },
        'web connection refused: maxConnectionsPerAddress reached',
      );
      socket.destroy();
      return;
    }
    counters.connections++;
    socket.once('close', () => {
      counters.connections--;
      perAddress.remove(address);
    });
  });

  // Node's own answer to a request it cannot take, plus the count of timeouts.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      counters.timedOut++;
      refused(
        {
          remoteAddress: plainAddress(socket.remoteAddress ?? ''),
          headersTimeout: limits.headersTimeout,
          requestTimeout: limits.requestTimeout,
        },
        'web request not received in time: closed',
      );
    }
    const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (socket.writable && !inFlight?.headersSent)
      socket.write(CLIENT_ERROR_ANSWERS[error.code ?? ''] ?? BAD_REQUEST);
    socket.destroy();
  });

  const streamsPerAddress = new Tally(limits.maxEventStreamsPerAddress);
  return {
    openStream(address) {
      if (counters.eventStreams >= limits.maxEventStreams) {
        counters.eventStreamsRefused++;
        refused(
          { remoteAddress: address, limit: limits.maxEventStreams },
          'live stream refused: maxEventStreams reached',
        );
        return undefined;
      }
      if (!streamsPerAddress.add(address)) {
        counters.eventStreamsRefused++;
        refused(
          { remoteAddress: address, limit: limits.maxEventStreamsPerAddress },
          'live stream refused: maxEventStreamsPerAddress reached',
        );
        return undefined;
      }
      counters.eventStreams++;
      let open = true;
      return () => {
        if (!open) return;
        open = false;
        counters.eventStreams--;
        streamsPerAddress.remove(address);
      };
    },
  };
}
