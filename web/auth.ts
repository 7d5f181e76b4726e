/**
 * Who is asking: a session cookie (from POST /login), HTTP Basic with a broker user's password, or
 * an API token (`Bearer`, or InfluxDB's `Token`). Passwords are checked with the broker's scrypt
 * hashes through a short-lived cache, so API clients sending Basic on every request cost one scrypt
 * per minute, not one per request. Wrong passwords are answered ever more slowly per address and
 * username (login-throttle.ts). Without credentials, a request is served only when anonymous
 * access is allowed (by default: from a loopback client, behind a trusted proxy the forwarded one).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { CredentialCache } from '../broker/credential-cache.js';
import { isLoopbackHost } from '../broker/loopback.js';
import { decoyHash, verifyPassword } from '../broker/passwords.js';
import type { UserEntry } from '../config/schema.js';
import type { WebConfig } from './config.js';
import type { ProxyTrust } from './client-address.js';
import { LoginThrottle } from './login-throttle.js';
import type { Principal } from './principal.js';
import { credentialFingerprint, type SessionResolver, type Sessions } from './sessions.js';

// Principal is its own file so that sessions.ts need not import this one; callers take it from here.
export type { Principal };

export const SESSION_COOKIE = 'busbar_session';

export interface Identified {
  readonly principal: Principal;
  /**
   * What said who: a browser adds the session cookie, and Basic credentials it has prompted for, to
   * any site's requests (origin-check.ts); a token or `u`/`p` only a script that knows them sends.
   */
  readonly via: 'cookie' | 'basic' | 'token' | 'query';
}

export interface Authenticator {
  /** Who sent the request, `undefined` without credentials, or `false` when credentials were wrong. */
  identify(request: IncomingMessage): Promise<Identified | undefined | false>;
  /**
   * Checks a broker user's password, asked from `remoteAddress`; the role it gets, or undefined.
   * A wrong one is answered late (login-throttle.ts); throws a 429 HttpError when too many checks
   * from that address are waiting.
   */
  login(username: string, password: string, remoteAddress: string): Promise<Principal | undefined>;
  /** What a login session of `name` (`user:<name>`) is worth under the current config (sessions.ts). */
  resolveSession: SessionResolver;
  anonymous(request: IncomingMessage): Principal | undefined;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

export function cookieValue(request: IncomingMessage, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}

export function createAuthenticator(
  config: WebConfig,
  /** The users now: a SIGHUP reload may change them. */
  users: () => readonly UserEntry[],
  sessions: Sessions,
  trust: ProxyTrust,
  throttle = new LoginThrottle(),
): Authenticator {
  const newCache = (): CredentialCache => new CredentialCache({ ttlMs: 60_000, maxEntries: 1_000 });
  // Cached successes hold for the users they were checked against: reloaded users start afresh.
  let cache = newCache();
  let cachedFor = users();
  const cacheNow = (current: readonly UserEntry[]): CredentialCache => {
    if (current !== cachedFor) [cache, cachedFor] = [newCache(), current];
    return cache;
  };
  const decoy = decoyHash();
  const tokens = config.tokens.map((token) => ({ ...token, digest: digest(token.token) }));
  const readOnly = new Set(config.readOnlyUsers);

  async function login(
    username: string,
    password: string,
    remoteAddress: string,
  ): Promise<Principal | undefined> {
    const current = users();
    const user = current.find((candidate) => candidate.username === username);
    // An unknown user costs one scrypt too, so timing does not tell which usernames exist. A cached
    // success (an API client's Basic on every request) waits for no one's turn.
    const ok = await cacheNow(current).verify(username, Buffer.from(password), () =>
      throttle.check(remoteAddress, username, () => verifyPassword(password, user?.password ?? decoy)),
    );
    if (!ok || !user) return undefined;
    return { name: `user:${username}`, role: readOnly.has(username) ? 'read' : 'write', aclUser: username };
  }

  function token(text: string): Principal | false {
    const presented = digest(text);
    const match = tokens.find((candidate) => timingSafeEqual(candidate.digest, presented));
    return match ? { name: `token:${match.name}`, role: match.role, aclUser: `token:${match.name}` } : false;
  }

  return {
    login,
    resolveSession(name) {
      const username = name.startsWith('user:') ? name.slice('user:'.length) : undefined;
      const user = users().find((candidate) => candidate.username === username);
      if (!user || username === undefined) return undefined;
      return {
        principal: { name, role: readOnly.has(username) ? 'read' : 'write', aclUser: username },
        credential: credentialFingerprint(user.password),
      };
    },
    anonymous(request) {
      const allowed = config.allowAnonymous ?? isLoopbackHost(trust.clientAddress(request));
      return allowed ? { name: 'anonymous', role: config.anonymousRole, aclUser: undefined } : undefined;
    },
    async identify(request) {
      const from = trust.clientAddress(request);

      const header = request.headers.authorization;
      if (header !== undefined) {
        const space = header.indexOf(' ');
        const scheme = header.slice(0, space).toLowerCase();
        const value = header.slice(space + 1).trim();
        if (scheme === 'bearer' || scheme === 'token') {
          const principal = token(value);
          return principal && { principal, via: 'token' };
        }
        if (scheme === 'basic') {
          const decoded = Buffer.from(value, 'base64').toString('utf8');
          const colon = decoded.indexOf(':');
          if (colon < 0) return false;
          const principal = await login(decoded.slice(0, colon), decoded.slice(colon + 1), from);
          return principal ? { principal, via: 'basic' } : false;
        }
        return false;
      }
      // InfluxDB 1.x clients send credentials as query parameters (u, p).
      const url = new URL(request.url ?? '/', 'http://localhost');
      const u = url.searchParams.get('u');
      const p = url.searchParams.get('p');
      if (u !== null && p !== null) {
        const principal = await login(u, p, from);
        return principal ? { principal, via: 'query' } : false;
      }
      const session = cookieValue(request, SESSION_COOKIE);
      if (session === undefined) return undefined;
      const principal = sessions.get(session);
      return principal ? { principal, via: 'cookie' } : false;
      return undefined;
    },
  };
}
