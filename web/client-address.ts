/**
 * Who a request comes from and which origin its browser used, seen through reverse proxies that
 * `web.trustedProxies` names, and only those: any client can send `X-Forwarded-For`, `-Host` and
 * `-Proto`, so from any other peer they are ignored. With no trusted proxies (the default) the
 * client is the TCP peer and the origin is `http://` and the `Host` header.
 */
import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';
import { plainAddress } from '../core/util/address.js';

function parseEntry(entry: string): { address: string; prefix: number | undefined } | undefined {
  const [address = '', prefixText, extra] = entry.trim().split('/');
  if (extra !== undefined || isIP(address) === 0) return undefined;
  if (prefixText === undefined) return { address, prefix: undefined };
  const prefix = Number(prefixText);
  const bits = isIP(address) === 4 ? 32 : 128;
  return /^\d+$/.test(prefixText) && prefix <= bits ? { address, prefix } : undefined;
}

/** An IP address or a CIDR block (`10.0.0.0/8`, `fd00::/8`): what `web.trustedProxies` lists. */
export function validProxyEntry(entry: string): boolean {
  return parseEntry(entry) !== undefined;
}

/** `scheme://host[:port]` with nothing after it, as browsers send in `Origin`. */
export function isOrigin(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === text;
  } catch {
    return false;
  }
}

/** The last value of a header a proxy may append to: the one the nearest (trusted) proxy wrote. */
function lastValue(value: string | string[] | undefined): string | undefined {
  const text = Array.isArray(value) ? value.join(',') : value;
  const last = text?.split(',').at(-1)?.trim();
  return last ? last : undefined;
}

export class ProxyTrust {
  private readonly list = new BlockList();
  private readonly empty: boolean;

  constructor(entries: readonly string[]) {
    this.empty = entries.length === 0;
    for (const entry of entries) {
      const parsed = parseEntry(entry);
      if (!parsed) throw new Error(`not an IP address or CIDR block: ${entry}`);
      const type = isIP(parsed.address) === 4 ? 'ipv4' : 'ipv6';
      if (parsed.prefix === undefined) this.list.addAddress(parsed.address, type);
      else this.list.addSubnet(parsed.address, parsed.prefix, type);
    }
  }

  trusts(address: string): boolean {
    if (this.empty) return false;
    const plain = plainAddress(address);
    const type = isIP(plain);
    return type !== 0 && this.list.check(plain, type === 4 ? 'ipv4' : 'ipv6');
  }

  /** True when the request arrived from a trusted proxy, whose forwarding headers count. */
  proxied(request: IncomingMessage): boolean {
    return this.trusts(request.socket.remoteAddress ?? '');
  }

  /**
   * The client's address: the TCP peer; from a trusted proxy, the nearest `X-Forwarded-For` entry
   * that is not itself a trusted proxy (entries further left are whatever the client claimed).
   */
  clientAddress(request: IncomingMessage): string {
    let address = plainAddress(request.socket.remoteAddress ?? '');
    if (!this.trusts(address)) return address;
    const forwarded = request.headers['x-forwarded-for'];
    const hops = (Array.isArray(forwarded) ? forwarded.join(',') : (forwarded ?? '')).split(',');
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = plainAddress(hops[i]!.trim());
      if (isIP(hop) === 0) break; // not an address: stop at the last proxy we could read
      address = hop;
      if (!this.trusts(hop)) break;
    }
    return address;
  }

  /**
   * The origin the browser sent this request to, for the Origin check of cookie writes: the
   * `Host` header over plain HTTP; from a trusted proxy, its `X-Forwarded-Host` and
   * `X-Forwarded-Proto` when it sends them. undefined without a usable host.
   */
  origin(request: IncomingMessage): string | undefined {
    const proxied = this.proxied(request);
    const forwardedProto = proxied ? lastValue(request.headers['x-forwarded-proto']) : undefined;
    const proto = forwardedProto === 'https' || forwardedProto === 'http' ? forwardedProto : 'http';
    const host =
      (proxied ? lastValue(request.headers['x-forwarded-host']) : undefined) ?? request.headers.host;
    // A host with a path, user info or the like is not a host.
    if (host === undefined || host === '' || /[/\\@?#\s]/.test(host)) return undefined;
    try {
      return new URL(`${proto}://${host}`).origin;
    } catch {
      return undefined;
    }
  }
}
