/**
 * Who may connect: Aedes' preConnect and authenticate hooks. Users log in with a password checked
 * against its scrypt hash; clients without a username are anonymous and accepted only where their
 * listener allows it (by default, listeners bound to a loopback address). Refusals are logged with
 * username, client id, remote address and listener, never with the password.
 */
import type { AedesOptions, AuthenticateError, Client } from 'aedes';
import type { UserEntry } from '../config/schema.js';
import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Acl } from './acl.js';
import type { ConnectionInfo, ConnectionRegistry } from './connections.js';
import { CredentialCache } from './credential-cache.js';
import { LogThrottle } from '../core/log-throttle.js';
import { decoyHash, verifyPassword } from './passwords.js';

/** CONNACK return codes, MQTT 3.1.1 table 3.1. */
export const CONNACK_IDENTIFIER_REJECTED = 2;
export const CONNACK_SERVER_UNAVAILABLE = 3;
export const CONNACK_BAD_USERNAME_OR_PASSWORD = 4;
export const CONNACK_NOT_AUTHORIZED = 5;

/** A successful login is trusted again without scrypt for this long (reconnect storms). */
const CREDENTIAL_CACHE_TTL_MS = 60_000;
const CREDENTIAL_CACHE_ENTRIES = 10_000;

export interface AuthOptions {
  readonly users: readonly UserEntry[];
  readonly acl: Acl | undefined;
  readonly connections: ConnectionRegistry;
  readonly log: Logger;
}

type AuthHooks = Required<Pick<AedesOptions, 'preConnect' | 'authenticate'>>;

export function createAuthHooks(options: AuthOptions): AuthHooks {
  const { acl, connections, log } = options;
  const users = new Map(options.users.map((user) => [user.username, user.password]));
  const cache = new CredentialCache({ ttlMs: CREDENTIAL_CACHE_TTL_MS, maxEntries: CREDENTIAL_CACHE_ENTRIES });
  const decoy = decoyHash();
  const refusals = new LogThrottle(5, 50);

  function refuse(
    client: Client,
    info: ConnectionInfo | undefined,
    username: string | undefined,
    returnCode: number,
    reason: string,
  ): AuthenticateError {
    const dropped = refusals.admit();
    if (dropped !== undefined) {
      log.warn(
        {
          username,
          clientId: client.id,
          remoteAddress: info?.remoteAddress,
          listener: info?.listener.label,
          returnCode,
          reason,
          ...(dropped > 0 ? { refusalsNotLogged: dropped } : {}),
        },
        'MQTT connection refused',
      );
    }
    return Object.assign(new Error(reason), { returnCode }) as AuthenticateError;
  }

  function accept(client: Client, info: ConnectionInfo, username: string | undefined): void {
    info.username = username;
    info.acl = acl?.forClient(username, client.id);
  }

  async function passwordMatches(username: string, password: Buffer | undefined): Promise<boolean> {
    const hash = users.get(username);
    if (password === undefined) return false;
    if (hash === undefined) {
      await verifyPassword(password, decoy);
      return false;
    }
    return cache.verify(username, password, () => verifyPassword(password, hash));
  }

  return {
    preConnect(client, packet, done) {
      const info = connections.get(client);
      // [MQTT-3.1.3-8]: an empty client id needs a clean session. Aedes would invent an id for it;
      // remember the case here and refuse with CONNACK 2 in authenticate, which can send a CONNACK.
      if (info && packet.clientId === '' && !packet.clean) info.emptyIdWithoutCleanSession = true;
      done(null, true);
    },

    authenticate(client, username, password, done) {
      const info = connections.get(client);
      if (!info) {
        done(
          refuse(
            client,
            info,
            username,
            CONNACK_NOT_AUTHORIZED,
            'connection did not come through a listener',
          ),
          null,
        );
        return;
      }
      if (info.emptyIdWithoutCleanSession) {
        const reason = 'empty client id without clean session [MQTT-3.1.3-8]';
        done(refuse(client, info, username, CONNACK_IDENTIFIER_REJECTED, reason), null);
        return;
      }
      if (username === undefined) {
        if (!info.listener.allowAnonymous) {
          const reason = 'anonymous clients are not allowed on this listener';
          done(refuse(client, info, username, CONNACK_NOT_AUTHORIZED, reason), null);
          return;
        }
        accept(client, info, undefined);
        done(null, true);
        return;
      }
      passwordMatches(username, password).then(
        (ok) => {
          if (!ok) {
            const reason = users.has(username) ? 'wrong password' : 'unknown user';
            done(refuse(client, info, username, CONNACK_BAD_USERNAME_OR_PASSWORD, reason), null);
            return;
          }
          accept(client, info, username);
          done(null, true);
        },
        (error: unknown) => {
          const reason = `password check failed: ${errorMessage(error)}`;
          done(refuse(client, info, username, CONNACK_SERVER_UNAVAILABLE, reason), null);
        },
      );
    },
  };
}
