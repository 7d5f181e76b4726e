/**
 * Cross-site request forgery: a browser sends the login cookie with a request any page makes, so a
 * state-changing request (POST, PUT, PATCH, DELETE) that a cookie authenticates must come from
 * busbar's own pages. Browsers say where a request comes from in `Origin` (every POST and DELETE
 * since 2020), else `Referer`; one of them must name the origin the request was sent to, or a
 * `web.trustedOrigins` entry. SameSite=Strict alone does not do: a sibling subdomain or another
 * port on the same host is "same site". Basic credentials a browser prompted for are sent along
 * the same way, so a foreign Origin with Basic is refused too; scripts send no Origin and are not
 * affected. Tokens are never sent by a browser on its own: not checked.
 */
import type { IncomingMessage } from 'node:http';
import type { ProxyTrust } from './client-address.js';

const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

export function changesState(method: string): boolean {
  return !SAFE_METHODS.has(method);
}

function originOf(text: string | undefined): string | undefined {
  if (text === undefined || text === '' || text === 'null') return undefined;
  try {
    const origin = new URL(text).origin;
    return origin === 'null' ? undefined : origin;
  } catch {
    return undefined;
  }
}

/**
 * undefined when the request says it comes from (Origin, else Referer's origin) the origin it was
 * sent to or a trusted one; otherwise why it may not write, for the 403's message.
 */
export function foreignOrigin(
  request: IncomingMessage,
  trust: ProxyTrust,
  trustedOrigins: readonly string[],
  /** False: a request that names no origin (a script's) passes. */
  originRequired: boolean,
): string | undefined {
  const named = request.headers.origin ?? request.headers.referer;
  const claimed = originOf(request.headers.origin) ?? originOf(request.headers.referer);
  if (claimed === undefined) {
    if (!originRequired && named === undefined) return undefined;
    return 'a browser write must name its origin (Origin or Referer)';
  }
  if (claimed === trust.origin(request) || trustedOrigins.includes(claimed)) return undefined;
  return `origin ${claimed} may not write with a login cookie`;
}
