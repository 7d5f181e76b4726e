/**
 * Where clients connect: plain TCP, TLS, and WebSocket (optionally over TLS). Each listener hands
 * every new connection, as a byte stream, to the broker; it knows nothing of MQTT. It tracks its
 * sockets so that closing the broker never waits for a client to hang up. Each new socket is first
 * counted against the connection caps (connection-limits.ts); what comes before CONNECT (a TLS
 * handshake, a WebSocket upgrade request) must be done within the connect timeout, as CONNECT
 * must after it (Aedes' own timer).
 */
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { WebSocketServer, createWebSocketStream } from 'ws';
import type { ListenerConfig } from './config.js';
import { BusbarError, errorMessage } from '../core/runtime/errors.js';
import type { Logger } from '../core/runtime/logger.js';
import { httpServerOptions } from '../core/util/http-timeouts.js';
import type { AdmitConnection } from './connection-limits.js';
import type { ListenerIdentity } from './connections.js';
import { isLoopbackHost } from './loopback.js';
import { bracketed, urlHost } from './url-host.js';

export type ConnectionHandler = (
  stream: Duplex,
  listener: ListenerIdentity,
  remoteAddress: string,
  request?: http.IncomingMessage,
) => void;

export interface ListenerOptions {
  readonly onConnection: ConnectionHandler;
  /** Largest MQTT packet accepted; WebSocket frames may carry one packet plus its 5-byte header. */
  readonly maxPacketSize: number;
  /** Counts each new socket against the connection caps; false: it was refused and destroyed. */
  readonly admit: AdmitConnection;
  /** Milliseconds a TLS handshake or a WebSocket upgrade request may take (`broker.connectTimeout`). */
  readonly connectTimeoutMs: number;
  readonly log: Logger;
}

export interface RunningListener {
  readonly type: 'tcp' | 'tls' | 'ws';
  readonly host: string;
  /** The port actually bound (port 0 in config picks a free one). */
  readonly port: number;
  /** A URL to connect to it: a wildcard bind (0.0.0.0, ::) is reached on loopback. */
  readonly url: string;
  /** The address as bound, for logs: `mqtt://0.0.0.0:1883` stays so. */
  readonly boundUrl: string;
  /** Stops accepting connections; those already open stay until `close`. */
  stopAccepting(): void;
  /** Stops accepting, destroys the connections still open, resolves once the server has closed. */
  close(): Promise<void>;
}

type TlsFiles = NonNullable<Extract<ListenerConfig, { type: 'tls' }>['tls']>;

export async function startListener(
  config: ListenerConfig,
  options: ListenerOptions,
): Promise<RunningListener> {
  const where = `${config.type} listener ${config.host}:${config.port}`;
  const files = config.type === 'tcp' ? undefined : config.tls;
  const tlsOptions = files
    ? { ...(await loadTlsOptions(files, where)), handshakeTimeout: options.connectTimeoutMs }
    : undefined;
  const allowAnonymous = config.allowAnonymous ?? isLoopbackHost(config.host);
  const { log } = options;

  // Known once bound (port 0 picks the port); connections cannot arrive before that.
  const bound: { identity?: ListenerIdentity } = {};
  const accept = (
    stream: Duplex,
    remoteAddress: string | undefined,
    request?: http.IncomingMessage,
  ): void => {
    options.onConnection(stream, bound.identity!, remoteAddress ?? 'unknown', request);
  };

  let server: net.Server;
  try {
    if (config.type === 'ws') {
      server = createWebSocketServer(config.path, tlsOptions, options, accept);
    } else if (tlsOptions) {
      const tlsServer = tls.createServer(tlsOptions);
      tlsServer.on('secureConnection', (socket) => accept(socket, socket.remoteAddress));
      // With a listener on this event Node leaves the socket open (a handshake timeout included):
      // it is closed here, or a client that never finishes its handshake holds it forever.
      tlsServer.on('tlsClientError', (error, socket) => {
        log.debug(
          { remoteAddress: socket.remoteAddress, reason: error.message, listener: where },
          'TLS handshake failed',
        );
        socket.destroy();
      });
      server = tlsServer;
    } else {
      server = net.createServer((socket) => accept(socket, socket.remoteAddress));
    }
  } catch (error) {
    throw new BusbarError('BUSBAR_LISTEN_FAILED', `${where}: ${errorMessage(error)}`, { cause: error });
  }

  const sockets = new Set<net.Socket>();
  // First in line: a refused socket is destroyed before TLS or HTTP read from it.
  server.prependListener('connection', (socket: net.Socket) => {
    if (!options.admit(socket, where)) return;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    // Writes are already coalesced per loop turn (write-coalescing.ts); Nagle on top would only add
    // delayed-ACK stalls (~40 ms) to every request/response exchange such as QoS 1 publish/PUBACK.
    socket.setNoDelay(true);
  });

  try {
    await listen(server, config.port, config.host);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new BusbarError('BUSBAR_LISTEN_FAILED', `${where} could not listen: ${errorMessage(error)}`, {
      cause: error,
      retryable: code === 'EADDRINUSE',
    });
  }
  server.on('error', (error) => log.error({ listener: where, reason: error.message }, 'listener error'));

  const { port, address: boundAddress } = server.address() as net.AddressInfo;
  bound.identity = {
    type: config.type,
    host: config.host,
    port,
    allowAnonymous,
    label: `${config.type} ${config.host}:${port}`,
  };
  const scheme = { tcp: 'mqtt', tls: 'mqtts', ws: tlsOptions ? 'wss' : 'ws' }[config.type];
  const path = config.type === 'ws' ? config.path : '';

  let closed: Promise<void> | undefined;
  const stopAccepting = (): void => {
    closed ??= new Promise((resolve) => server.close(() => resolve()));
  };
  return {
    type: config.type,
    host: config.host,
    port,
    url: `${scheme}://${urlHost(config.host)}:${port}${path}`,
    boundUrl: `${scheme}://${bracketed(boundAddress)}:${port}${path}`,
    stopAccepting,
    async close() {
      stopAccepting();
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

function listen(server: net.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

async function loadTlsOptions(files: TlsFiles, where: string): Promise<tls.TlsOptions> {
  const read = async (file: string, what: string): Promise<Buffer> => {
    try {
      return await readFile(file);
    } catch (error) {
      throw new BusbarError(
        'BUSBAR_LISTEN_FAILED',
        `${where}: cannot read TLS ${what} ${file}: ${errorMessage(error)}`,
        {
          cause: error,
        },
      );
    }
  };
  return {
    cert: await read(files.cert, 'certificate'),
    key: await read(files.key, 'key'),
    ...(files.ca ? { ca: await read(files.ca, 'CA bundle') } : {}),
    requestCert: files.requestCert,
    rejectUnauthorized: files.requestCert,
  };
}

/**
 * An HTTP(S) server that upgrades requests for `path` to WebSocket and hands each socket to MQTT
 * as a stream (`createWebSocketStream`). Other paths get 404, plain requests 426.
 */
function createWebSocketServer(
  path: string,
  tlsOptions: tls.TlsOptions | undefined,
  options: ListenerOptions,
  accept: (stream: Duplex, remoteAddress: string | undefined, request: http.IncomingMessage) => void,
): net.Server {
  const { log } = options;
  // A frame is buffered whole before it is delivered: bound it by the largest packet we accept.
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPacketSize + 5 });
  const respond = (_request: http.IncomingMessage, response: http.ServerResponse): void => {
    response.writeHead(426, { 'content-type': 'text/plain', upgrade: 'websocket' });
    response.end(`MQTT over WebSocket: connect to ${path}\n`);
  };
  // An upgrade request whose headers are not in within the connect timeout is answered 408 and
  // closed, like a half-sent one on the web server (slowloris).
  const timeouts = httpServerOptions({
    headersTimeout: options.connectTimeoutMs,
    requestTimeout: options.connectTimeoutMs,
  });
  const server = tlsOptions
    ? https.createServer({ ...tlsOptions, ...timeouts }, respond)
    : http.createServer(timeouts, respond);
  server.on('upgrade', (request: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = request.url ?? '/';
    const query = url.indexOf('?');
    if ((query === -1 ? url : url.slice(0, query)) !== path) {
      socket.on('error', () => socket.destroy()); // a peer gone mid-reply is no concern of ours
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      ws.on('error', (error) => log.debug({ reason: error.message }, 'WebSocket error'));
      accept(createWebSocketStream(ws), request.socket.remoteAddress, request);
    });
  });
  return server;
}
