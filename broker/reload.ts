/**
 * `broker.users` and `broker.acl` swapped in while the broker runs (SIGHUP), the way Mosquitto
 * reloads its password file and ACL: new logins use the new ones, and every connected client is
 * checked again. A client whose user is gone or whose password changed is disconnected (MQTT 5:
 * DISCONNECT 0x98, administrative action); the others get their new rules, and a subscription the
 * rules now refuse is removed from the client as if it had unsubscribed.
 */
import type { Aedes, Client } from 'aedes';
import type { BrokerConfig } from './config.js';
import { errorMessage } from '../core/runtime/errors.js';
import type { Logger } from '../core/runtime/logger.js';
import { createAcl, SubscribeAccess, type Acl } from './acl.js';
import type { Auth } from './auth.js';
import { checkDeliveriesOf, sharedFilter, stopCheckingDeliveries } from './authorize.js';
import type { ClientRegistry } from './client-registry.js';
import type { ConnectionRegistry } from './connections.js';

/** MQTT 5 reason code 0x98 "Administrative action" [MQTT-3.14.2.1]. */
const ADMINISTRATIVE_ACTION = 0x98;

export type Credentials = Pick<BrokerConfig, 'users' | 'acl'>;

export interface ReloadSummary {
  readonly users: number;
  readonly aclRules: number;
  readonly clientsDisconnected: number;
  readonly subscriptionsRemoved: number;
}

export interface CredentialReloadOptions {
  readonly aedes: Aedes;
  /** The connected clients (client-registry.ts). */
  readonly clients: ClientRegistry;
  readonly auth: Auth;
  readonly connections: ConnectionRegistry;
  readonly baseTopic: string;
  readonly initial: Credentials;
  readonly log: Logger;
}

/** Thrown when the new credentials cannot be swapped in; the old ones stay. */
export class ReloadRefused extends Error {}

type AedesClient = Client & {
  readonly subscriptions: Record<string, unknown>;
  readonly clean: boolean;
  unsubscribe(packet: { unsubscriptions: string[] }, done: (error?: Error) => void): void;
  disconnect(options: { reasonCode: number }, done?: () => void): void;
};

/** The ACL of `credentials`, with busbar's components among its users. */
export function aclOf(credentials: Credentials, baseTopic: string): Acl {
  const components = credentials.users.filter((user) => user.component).map((user) => user.username);
  return createAcl(credentials.acl, { baseTopic, components });
}

export function createCredentialReload(
  options: CredentialReloadOptions,
): (next: Credentials) => ReloadSummary {
  const { aedes, auth, connections, log } = options;
  let current = options.initial;
  const hashes = (credentials: Credentials): Map<string, string> =>
    new Map(credentials.users.map((user) => [user.username, user.password]));

  return (next) => {
    // The hooks installed at start differ with and without rules (authorize.ts skips the look-ups
    // when there are none), so turning the ACL on or off needs a restart.
    if (next.acl.length > 0 !== current.acl.length > 0) {
      throw new ReloadRefused('broker.acl going from no rules to some, or back, needs a restart');
    }
    const acl = aclOf(next, options.baseTopic);
    const before = hashes(current);
    const after = hashes(next);
    auth.replaceCredentials(next.users, acl);
    current = next;
    let clientsDisconnected = 0;
    let subscriptionsRemoved = 0;
    for (const registered of options.clients.values()) {
      const client = registered as AedesClient;
      const info = connections.get(client);
      if (!info) continue;
      const username = info.username;
      if (username !== undefined && after.get(username) !== before.get(username)) {
        const reason = after.has(username) ? 'password changed' : 'user removed';
        log.warn(
          { clientId: client.id, username, reason },
          'MQTT client disconnected: its login was withdrawn',
        );
        clientsDisconnected++;
        client.disconnect({ reasonCode: ADMINISTRATIVE_ACTION });
        continue;
      }
      const clientAcl = acl.forClient(username, client.id);
      info.acl = clientAcl;
      if (acl.hasRules) subscriptionsRemoved += recheckSubscriptions(client, clientAcl, aedes, log);
    }
    return { users: next.users.length, aclRules: next.acl.length, clientsDisconnected, subscriptionsRemoved };
  };
}

/** Applies `clientAcl` to the client's subscriptions; returns how many it removed. */
function recheckSubscriptions(
  client: AedesClient,
  clientAcl: ReturnType<Acl['forClient']>,
  aedes: Aedes,
  log: Logger,
): number {
  const refused: string[] = [];
  for (const filter of Object.keys(client.subscriptions)) {
    const access = clientAcl.subscribeAccess(sharedFilter(filter));
    if (access === SubscribeAccess.Partial) checkDeliveriesOf(client, filter);
    else stopCheckingDeliveries(client, [filter]);
    if (access === SubscribeAccess.Refused) refused.push(filter);
  }
  if (refused.length === 0) return 0;
  log.info({ clientId: client.id, filters: refused }, 'subscriptions removed: the reloaded ACL refuses them');
  const failed = (error: unknown): void =>
    log.warn({ clientId: client.id, reason: errorMessage(error) }, 'could not remove a refused subscription');
  // Without a message id Aedes leaves a persistent session's stored subscriptions alone.
  if (!client.clean) {
    const persistence = (aedes as unknown as { persistence: StoredSubscriptions }).persistence;
    persistence.removeSubscriptions(client, refused).catch(failed);
  }
  client.unsubscribe({ unsubscriptions: refused }, (error) => error && failed(error));
  return refused.length;
}

interface StoredSubscriptions {
  removeSubscriptions(client: Client, filters: string[]): Promise<void>;
}
