import type { ServerOptions } from 'node:http';

/**
 * Options for `http.createServer` that bound how long a request may take to arrive: its headers
 * within `headersTimeout`, its body within `requestTimeout` (else 408 and the connection closes).
 * Node looks for requests past their timeouts every `connectionsCheckingInterval` (30 s by default,
 * which would let a 10 s header timeout run 40 s): here a quarter of the header timeout, between
 * 100 ms and 1 s, one walk over the open connections.
 */
export function httpServerOptions(limits: { headersTimeout: number; requestTimeout: number }): ServerOptions {
  return {
    headersTimeout: limits.headersTimeout,
    requestTimeout: limits.requestTimeout,
    connectionsCheckingInterval: Math.min(1_000, Math.max(100, Math.floor(limits.headersTimeout / 4))),
  };
}
