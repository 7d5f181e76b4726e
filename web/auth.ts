/**
 * Who is asking: a session cookie (from POST /login), HTTP Basic with a broker user's password, or
 * an API token (`Bearer`, or InfluxDB's `Token`). Passwords are checked with the broker's scrypt
 * hashes through a short-lived cache, so API clients sending Basic on every request cost one scrypt
 * per minute, not one per request. Repeated wrong passwords from one address or for one username
 * are refused for a while (login-limit.ts). Without credentials, a request is served only when
 * anonymous access is allowed (by default: from a loopback address).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { CredentialCache } from '../broker/credential-cache.js';
import { isLoopbackHost } from '../broker/loopback.js';
import { decoyHash, verifyPassword } from '../broker/passwords.js';
import type { UserEntry } from '../config/schema.js';
import type { WebConfig, WebRole } from './config.js';
import { HttpError } from './http.js';
import { LoginLimiter } from './login-limit.js';
import { credentialFingerprint, type SessionResolver, type Sessions } from './sessions.js';

export interface Principal {
  /** `user:<name>`, `token:<name>` or `anonymous`. */
  readonly name: string;
  readonly role: WebRole;
  /**
   * The username broker.acl rules see: the broker user's, `token:<name>` for a token (only `*` rules
   * match it), undefined for anonymous requests (`$anonymous` rules).
   */
  readonly aclUser: string | undefined;
}

export const SESSION_COOKIE = 'busbar_session';

export interface Authenticator {
  /** The principal, `undefined` without credentials, or `false` when credentials were wrong. */
  identify(request: IncomingMessage): Promise<Principal | undefined | false>;
  /**
   * Checks a broker user's password, asked from `remoteAddress`; the role it gets, or undefined.
   * Throws a 429 HttpError while that address or username has failed too often.
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

/**
 * Where a request comes from, for the failed-login limit. From a loopback peer (a reverse proxy on
 * this machine), the last `X-Forwarded-For` entry, the one the proxy added; else the peer. Only
 * local processes can set it, and the username limit holds whatever they claim.
 */
export function clientAddress(request: IncomingMessage): string {
  const peer = request.socket.remoteAddress ?? '';
  const forwarded = request.headers['x-forwarded-for'];
  if (!isLoopbackHost(peer) || typeof forwarded !== 'string') return peer;
  const last = forwarded.split(',').at(-1)?.trim();
  return last ? last : peer;
}

export function createAuthenticator(
  config: WebConfig,
  users: readonly UserEntry[],
  sessions: Sessions,
  limiter = new LoginLimiter(),
): Authenticator {
  const cache = new CredentialCache({ ttlMs: 60_000, maxEntries: 1_000 });
  const decoy = decoyHash();
  const tokens = config.tokens.map((token) => ({ ...token, digest: digest(token.token) }));
  const readOnly = new Set(config.readOnlyUsers);

  async function login(
    username: string,
    password: string,
    remoteAddress: string,
  ): Promise<Principal | undefined> {
    const keys = [`address:${remoteAddress}`, `user:${username}`];
    const wait = limiter.retryAfter(keys);
    if (wait !== undefined) {
      throw new HttpError(429, 'too many requests', `too many failed logins: try again in ${wait} s`, {
        'retry-after': String(wait),
      });
    }
    const user = users.find((candidate) => candidate.username === username);
    // An unknown user costs one scrypt too, so timing does not tell which usernames exist.
    const ok = await cache.verify(username, Buffer.from(password), () =>
      verifyPassword(password, user?.password ?? decoy),
    );
    if (!ok || !user) {
      limiter.failed(keys);
      return undefined;
    }
    limiter.succeeded(`user:${username}`);
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
      const user = users.find((candidate) => candidate.username === username);
      if (!user || username === undefined) return undefined;
      return {
        principal: { name, role: readOnly.has(username) ? 'read' : 'write', aclUser: username },
        credential: credentialFingerprint(user.password),
      };
    },
    anonymous(request) {
      const allowed = config.allowAnonymous ?? isLoopbackHost(request.socket.remoteAddress ?? '');
      return allowed ? { name: 'anonymous', role: config.anonymousRole, aclUser: undefined } : undefined;
    },
    async identify(request) {
      const from = clientAddress(request);
      const header = request.headers.authorization;
      if (header !== undefined) {
        const space = header.indexOf(' ');
        const scheme = header.slice(0, space).toLowerCase();
        const value = header.slice(space + 1).trim();
        if (scheme === 'bearer' || scheme === 'token') return token(value);
        if (scheme === 'basic') {
          const decoded = Buffer.from(value, 'base64').toString('utf8');
          const colon = decoded.indexOf(':');
          if (colon < 0) return false;
          return (await login(decoded.slice(0, colon), decoded.slice(colon + 1), from)) ?? false;
        }
        return false;
      }
      // InfluxDB 1.x clients send credentials as query parameters (u, p).
      const url = new URL(request.url ?? '/', 'http://localhost');
      const u = url.searchParams.get('u');
      const p = url.searchParams.get('p');
      if (u !== null && p !== null) return (await login(u, p, from)) ?? false;
      const session = cookieValue(request, SESSION_COOKIE);
      if (session !== undefined) return sessions.get(session) ?? false;
      return undefined;
    },
  };
}
