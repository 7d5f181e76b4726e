/**
 * Aedes' per-message hooks: authorizePublish (every PUBLISH received), authorizeForward (every
 * message about to be written to a subscriber) and authorizeSubscribe. They run on the hot path,
 * so they allocate nothing per message: a counter increment, string prefix tests and, only when ACL
 * rules exist or the topic is one of busbar's own, a walk over the client's compiled rules.
 */
import type { Aedes, AedesOptions, AedesPublishPacket, Client, PublishPacket } from 'aedes';
import type { Logger } from '../core/runtime/logger.js';
import type { ConnectionRegistry } from './connections.js';
import { LogThrottle } from '../core/util/log-throttle.js';
import type { MessageCounters } from './sys-stats.js';
import { filterTextMatchesTopic } from './topic-filter.js';
import { SubscribeAccess } from './acl.js';
import { interceptPublish } from './publish-intercept.js';

const SYS_PREFIX = '$SYS/';
const DOLLAR = 36;

/**
 * Marks a PUBLISH the ACL refused. MQTT 3.1.1 cannot tell a client its publish was refused, and an
 * error from authorizePublish makes Aedes drop the connection; so the packet is let through the
 * protocol handler (QoS 1/2 get their PUBACK/PUBREC as with Mosquitto) and dropped by
 * `dropDeniedPublishes` before it reaches retained storage or any subscriber.
 */
const DENIED = Symbol('busbar.deniedByAcl');
type Deniable = PublishPacket & { [DENIED]?: true };

/**
 * An MQTT 5 publish the ACL refused: Aedes answers PUBACK/PUBREC 0x87. Aedes would send the error's
 * message as the ack's reason string; some clients cannot read an ack with properties (the Paho
 * interoperability client rejects it), and the refusal is logged here already, so it has none.
 */
export class NotAuthorizedError extends Error {
  constructor() {
    super('');
  }
}

/** MQTT 5 reason code of a server DISCONNECT: Unspecified error. */
const UNSPECIFIED_ERROR = 0x80;

type AuthorizePublish = NonNullable<AedesOptions['authorizePublish']>;

/**
 * For MQTT 5 clients Aedes answers any error from authorizePublish with PUBACK 0x87, which tells
 * the client the message was refused for good. A message that could not be made durable (the
 * journal failed) must be sent again instead: the connection is closed with DISCONNECT 0x80 and
 * the message is never acknowledged, as MQTT 3.1.1 clients already see it.
 */
export function closeOnFailure(authorize: AuthorizePublish): AuthorizePublish {
  return (client, packet, callback) =>
    authorize(client, packet, (error) => {
      if (!error || client === null || client.version !== 5 || error instanceof NotAuthorizedError) {
        return callback(error);
      }
      client.disconnect({ reasonCode: UNSPECIFIED_ERROR }, () => callback(error));
    });
}

/** True for a PUBLISH the ACL refused: it is acknowledged, then dropped (see DENIED). */
export function deniedByAcl(packet: PublishPacket): boolean {
  return (packet as Deniable)[DENIED] === true;
}

export interface AuthorizeOptions {
  readonly connections: ConnectionRegistry;
  /** True when `broker.acl` has rules; otherwise subscriptions are not checked at all. */
  readonly aclEnabled: boolean;
  /** busbar's base topic: without ACL rules, only topics under it need the client's ClientAcl. */
  readonly baseTopic: string;
  readonly counters: MessageCounters;
  readonly log: Logger;
}

type AuthorizeHooks = Pick<AedesOptions, 'authorizePublish' | 'authorizeSubscribe' | 'authorizeForward'>;

export function createAuthorizeHooks(options: AuthorizeOptions): AuthorizeHooks {
  const { connections, counters, log } = options;
  const denials = new LogThrottle(1, 10);

  function logDenied(
    client: Client,
    access: 'publish' | 'subscribe',
    topic: string,
    why = `${access} denied by ACL`,
  ): void {
    const dropped = denials.admit();
    if (dropped === undefined) return;
    const info = connections.get(client);
    log.warn(
      {
        clientId: client.id,
        username: info?.username,
        remoteAddress: info?.remoteAddress,
        access,
        topic,
        ...(dropped > 0 ? { denialsNotLogged: dropped } : {}),
      },
      why,
    );
  }

  const sysReserved = (): Error => new NotAuthorizedError();

  const basePrefix = `${options.baseTopic}/`;

  // Aedes' default (no $SYS/ from clients, aedes#597), the counter, broker.acl and busbar's own
  // topics (acl.ts). Without ACL rules a topic outside the base topic needs no look-up at all.
  function authorizePublish(
    client: Client | null,
    packet: PublishPacket,
    callback: (error?: Error | null) => void,
  ): void {
    counters.received++;
    const topic = packet.topic;
    if (topic.startsWith(SYS_PREFIX)) return callback(sysReserved());
    // client is null only for the will of a client of a broker that died (clustered persistence);
    // that will was checked against its own client's rules when it would have been published.
    if (client === null || (!options.aclEnabled && !topic.startsWith(basePrefix))) return callback(null);
    const acl = connections.get(client)?.acl;
    if (acl?.canPublish(topic) !== true) {
      counters.publishDenied++;
      const own = acl?.rulesAllowPublish(topic) === true;
      logDenied(client, 'publish', topic, own ? "publish refused: the topic is busbar's own" : undefined);
      // MQTT 5 can say so: Aedes answers the error with PUBACK/PUBREC 0x87 and keeps the connection.
      if (client.version === 5) return callback(new NotAuthorizedError());
      (packet as Deniable)[DENIED] = true;
    }
    callback(null);
  }

  const authorizeSubscribe: AedesOptions['authorizeSubscribe'] = (client, subscription, callback) => {
    const filter = sharedFilter(subscription.topic);
    const acl = connections.get(client)?.acl;
    const access = acl === undefined ? SubscribeAccess.Refused : acl.subscribeAccess(filter);
    if (access === SubscribeAccess.Refused) {
      logDenied(client, 'subscribe', subscription.topic);
      // SUBACK 0x80 (MQTT 5: 0x87) for this filter; the others in the packet are unaffected.
      callback(null, null);
      return;
    }
    if (access === SubscribeAccess.Partial) checkDeliveriesOf(client, subscription.topic);
    callback(null, subscription);
  };

  function authorizeForward(client: Client, packet: AedesPublishPacket): AedesPublishPacket | null {
    // A client with a subscription the ACL cuts gets each message checked by its topic.
    if ((client as Checked)[CHECKED_FILTERS] !== undefined && !mayReceive(client, packet.topic)) {
      counters.deliveryDenied++;
      return null;
    }
    // Aedes keeps `$` topics from filters starting with a wildcard for live messages, but not for the
    // retained ones sent on SUBSCRIBE: without this, `#` would receive busbar's retained $SYS/...
    // [MQTT-4.7.2-1]. Live deliveries have retain cleared, so the test below costs one comparison.
    if (
      packet.retain &&
      packet.topic.charCodeAt(0) === DOLLAR &&
      !subscribedToDollarTopic(client, packet.topic)
    ) {
      return null;
    }
    counters.sent++;
    return packet;
  }

  function mayReceive(client: Client, topic: string): boolean {
    return connections.get(client)?.acl?.canReceive(topic) === true;
  }

  return {
    authorizePublish,
    authorizeForward,
    ...(options.aclEnabled ? { authorizeSubscribe } : {}),
  };
}

/**
 * The filters of a client's subscriptions that the ACL allows only in part, on the client object
 * itself: authorizeForward runs for every delivered message and tests one property for the others.
 */
const CHECKED_FILTERS = Symbol('busbar.checkedFilters');
type Checked = Client & { [CHECKED_FILTERS]?: Set<string> };

/** A subscription the ACL allows in part: each message it delivers is checked by its topic. */
export function checkDeliveriesOf(client: Client, filter: string): void {
  const checked = client as Checked;
  (checked[CHECKED_FILTERS] ??= new Set()).add(filter);
}

/** After an UNSUBSCRIBE: a client left with no partly allowed subscription is not checked any more. */
export function stopCheckingDeliveries(client: Client, filters: readonly string[]): void {
  const checked = client as Checked;
  const set = checked[CHECKED_FILTERS];
  if (set === undefined) return;
  for (const filter of filters) set.delete(filter);
  if (set.size === 0) delete checked[CHECKED_FILTERS];
}

const SHARE_PREFIX = '$share/';

/** The topic filter of a shared subscription `$share/<group>/<filter>`; any other filter as it is. */
export function sharedFilter(filter: string): string {
  if (!filter.startsWith(SHARE_PREFIX)) return filter;
  const slash = filter.indexOf('/', SHARE_PREFIX.length);
  return slash < 0 ? filter : filter.slice(slash + 1);
}

interface ClientSubscriptions {
  readonly subscriptions: Readonly<Record<string, unknown>>;
}

/** True when one of the client's filters that starts with `$` matches the topic. */
function subscribedToDollarTopic(client: Client, topic: string): boolean {
  const subscriptions = (client as unknown as ClientSubscriptions).subscriptions;
  for (const filter in subscriptions) {
    if (filter.charCodeAt(0) === DOLLAR && filterTextMatchesTopic(filter, topic)) return true;
  }
  return false;
}

/** Makes `aedes.publish` drop packets the ACL marked as denied: every publish pays one property test. */
export function dropDeniedPublishes(aedes: Aedes): void {
  interceptPublish(
    aedes,
    (publish) =>
      function (packet, client, done) {
        if ((packet as Deniable)[DENIED] === true) {
          // Asynchronously, as the real publish completes: the caller's parser loop must not re-enter.
          if (typeof done === 'function') process.nextTick(done);
          return;
        }
        publish.call(this, packet, client, done);
      },
  );
}
