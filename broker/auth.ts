/**
 * Who may connect: Aedes' preConnect and authenticate hooks. Users log in with a password checked
 * against its scrypt hash; clients without a username are anonymous and accepted only where their
 * listener allows it (by default, listeners bound to a loopback address). Refusals are logged with
 * username, client id, remote address and listener, never with the password. Wrong passwords are
 * answered ever later per address and username (core/util/login-throttle.ts), an address that keeps
 * guessing is banned for a while (login-bans.ts), and client ids may be bound to usernames
 * (client-ids.ts); all of it counted on `<base>/stats/broker`.
 */
import type { AedesOptions, AuthenticateError, Client } from 'aedes';
import type { BrokerConfig } from './config.js';
import { BusbarError, errorMessage } from '../core/runtime/errors.js';
import { LoginThrottle } from '../core/util/login-throttle.js';
import type { Logger } from '../core/runtime/logger.js';
import type { Acl } from './acl.js';
import { clientIdRule } from './client-ids.js';
import type { ConnectionInfo, ConnectionRegistry } from './connections.js';
import { CredentialCache } from './credential-cache.js';
import { LogThrottle } from '../core/util/log-throttle.js';
import { LoginBans } from './login-bans.js';
import { decoyHash, verifyPassword } from './passwords.js';
import type { EdgeCounters } from './sys-stats.js';

/** CONNACK return codes, MQTT 3.1.1 table 3.1. */
export const CONNACK_IDENTIFIER_REJECTED = 2;
export const CONNACK_SERVER_UNAVAILABLE = 3;
export const CONNACK_BAD_USERNAME_OR_PASSWORD = 4;
export const CONNACK_NOT_AUTHORIZED = 5;

/** A successful login is trusted again without scrypt for this long (reconnect storms). */
const CREDENTIAL_CACHE_TTL_MS = 60_000;
const CREDENTIAL_CACHE_ENTRIES = 10_000;

export interface AuthOptions {
  readonly config: Pick<
    BrokerConfig,
    'users' | 'loginDelay' | 'loginBanAfter' | 'loginBanDuration' | 'clientIdPattern'
  >;
  readonly acl: Acl | undefined;
  readonly connections: ConnectionRegistry;
  readonly counters: EdgeCounters;
  readonly log: Logger;
}

type AuthHooks = Required<Pick<AedesOptions, 'preConnect' | 'authenticate'>>;

export interface Auth {
  readonly hooks: AuthHooks;
  /**
   * New logins use these users and ACL from now on (a config reload); logins whose password check is
   * already running finish against the old ones.
   */
  replaceCredentials(users: BrokerConfig['users'], acl: Acl | undefined): void;
}

const usernameToHash = (users: BrokerConfig['users']): Map<string, string> =>
  new Map(users.map((user) => [user.username, user.password]));

export function createAuthHooks(options: AuthOptions): Auth {
  const { config, connections, counters, log } = options;
  let acl = options.acl;
  let users = usernameToHash(config.users);
  const throttle = new LoginThrottle({ baseDelayMs: config.loginDelay });
  const bans = new LoginBans({ after: config.loginBanAfter, durationMs: config.loginBanDuration });
  let clientIdAllowed = clientIdRule(config.clientIdPattern, [...users.keys()]);
  const newCache = (): CredentialCache =>
    new CredentialCache({ ttlMs: CREDENTIAL_CACHE_TTL_MS, maxEntries: CREDENTIAL_CACHE_ENTRIES });
  let cache = newCache();
  const decoy = decoyHash();
  const refusals = new LogThrottle(5, 50);

  function refuse(
    client: Client,
    info: ConnectionInfo | undefined,
    username: string | undefined,
    returnCode: number,
    reason: string,
    extra: object = {},
  ): AuthenticateError {
    refusals.warn(
      log,
      {
        username,
        clientId: client.id,
        remoteAddress: info?.remoteAddress,
        listener: info?.listener.label,
        returnCode,
        reason,
        ...extra,
      },
      'MQTT connection refused',
      'refusalsNotLogged',
    );
    return Object.assign(new Error(reason), { returnCode }) as AuthenticateError;
  }

  /** Logs in `client`, or refuses it with CONNACK 2 when its id is not the user's to take. */
  function accept(
    client: Client,
    info: ConnectionInfo,
    username: string | undefined,
    done: (error: AuthenticateError | null, success: boolean | null) => void,
  ): void {
    if (clientIdAllowed && !info.clientIdGenerated && !clientIdAllowed(client.id, username)) {
      counters.clientIdsRejected++;
      const reason = `client id does not fit clientIdPattern for ${username === undefined ? 'anonymous clients' : 'this user'}`;
      done(refuse(client, info, username, CONNACK_IDENTIFIER_REJECTED, reason), null);
      return;
    }
    info.username = username;
    info.acl = acl?.forClient(username, client.id);
    done(null, true);
  }

  /**
   * The password check, in the address's turn and held when wrong (login-throttle.ts); a right
   * password cached from a recent login skips both. `held` is told how long a wrong one was held.
   */
  async function passwordMatches(
    username: string,
    password: Buffer | undefined,
    address: string,
    held: (delayMs: number) => void,
  ): Promise<boolean> {
    const hash = users.get(username);
    const verify = async (): Promise<boolean> => {
      if (password === undefined) return false;
      // An unknown user costs one scrypt too, so timing does not tell which usernames exist.
      const ok = await verifyPassword(password, hash ?? decoy);
      return ok && hash !== undefined;
    };
    const throttled = async (): Promise<boolean> => {
      const attempt = await throttle.attempt(address, username, verify);
      held(attempt.delayMs);
      return attempt.ok;
    };
    if (password === undefined || hash === undefined) return throttled();
    return cache.verify(username, password, throttled);
  }

  const hooks: AuthHooks = {
    preConnect(client, packet, done) {
      const info = connections.get(client);
      // [MQTT-3.1.3-8]: an empty client id needs a clean session. Aedes would invent an id for it;
      // remember the case here and refuse with CONNACK 2 in authenticate, which can send a CONNACK.
      if (info && packet.clientId === '' && !packet.clean) info.emptyIdWithoutCleanSession = true;
      if (info) info.clientIdGenerated = packet.clientId === '';
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
        accept(client, info, undefined, done);
        return;
      }
      const address = info.remoteAddress;
      const bannedMs = bans.remainingMs(address);
      if (bannedMs > 0) {
        counters.loginsRefused++;
        const reason = 'address banned after repeated wrong passwords';
        done(refuse(client, info, username, CONNACK_NOT_AUTHORIZED, reason, { bannedForMs: bannedMs }), null);
        return;
      }
      let delayMs = 0;
      passwordMatches(username, password, address, (held) => (delayMs = held)).then(
        (ok) => {
          if (ok) {
            accept(client, info, username, done);
            return;
          }
          counters.loginFailures++;
          if (delayMs > 0) counters.loginsDelayed++;
          const banned = bans.failed(address, username, password);
          if (banned) {
            counters.addressesBanned++;
            log.warn(
              {
                remoteAddress: address,
                banAfter: config.loginBanAfter,
                bannedForMs: config.loginBanDuration,
              },
              'MQTT address banned after repeated wrong passwords',
            );
          }
          const reason = users.has(username) ? 'wrong password' : 'unknown user';
          done(refuse(client, info, username, CONNACK_BAD_USERNAME_OR_PASSWORD, reason, { delayMs }), null);
        },
        (error: unknown) => {
          if (error instanceof BusbarError && error.code === 'BUSBAR_LOGINS_BUSY') counters.loginsRefused++;
          const reason = `password check failed: ${errorMessage(error)}`;
          done(refuse(client, info, username, CONNACK_SERVER_UNAVAILABLE, reason), null);
        },
      );
    },
  };

  return {
    hooks,
    replaceCredentials(nextUsers, nextAcl) {
      users = usernameToHash(nextUsers);
      acl = nextAcl;
      clientIdAllowed = clientIdRule(config.clientIdPattern, [...users.keys()]);
      // A cached success must not let an old or removed password in for another minute.
      cache = newCache();
    },
  };
}
