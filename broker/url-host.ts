import net from 'node:net';

/**
 * A listener's host as it goes into a URL a client connects to: a wildcard bind (0.0.0.0, ::, empty)
 * becomes the loopback address of its family, and IPv6 goes in brackets.
 */
export function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return bracketed(host);
}

/** IPv6 in brackets, as a URL wants it; anything else as it is. */
export function bracketed(host: string): string {
  return net.isIPv6(host) ? `[${host}]` : host;
}
