/**
 * Per-client message counts for the broker page: PUBLISH packets received from each client and
 * messages handed to it. The counts live on the Aedes client object itself, under a Symbol, so the
 * packet path pays a property load and an increment; no Map lookup, no allocation per message
 * (the broker is benchmarked against Mosquitto, see write-coalescing.ts). One small object is
 * allocated per connection, on its first message.
 *
 * Both are counted in the authorize hooks Aedes calls anyway (see authorize.ts), the same places as
 * the broker-wide `$SYS` counters, so the per-client counts add up to those:
 * - received: authorizePublish runs once for every PUBLISH a client sends (and for its will).
 * - sent: authorizeForward runs once for every message about to be written to a client, on every
 *   path that writes one: live QoS 0 and QoS 1/2 deliveries (`deliver0`/`deliverQoS` in Aedes'
 *   lib/client.js), retained messages sent on SUBSCRIBE, and the offline queue drained at CONNECT
 *   (handlers/connect.js). Wrapping each client's `deliver0`/`deliverQoS` instead would miss the
 *   offline queue and cost two closures per connection; the broker's 'publish' event fires once per
 *   message, not per recipient.
 */
import type { AedesOptions, Client } from 'aedes';

export interface ClientMessageCounts {
  /** PUBLISH packets the broker received from the client (its will included). */
  published: number;
  /** Messages the broker handed to the client (live, retained and queued deliveries). */
  delivered: number;
}

const COUNTS = Symbol('busbar.clientMessageCounts');
const NONE: Readonly<ClientMessageCounts> = Object.freeze({ published: 0, delivered: 0 });

interface Counted {
  [COUNTS]?: ClientMessageCounts;
}

function countsOf(client: Client): ClientMessageCounts {
  return ((client as Counted)[COUNTS] ??= { published: 0, delivered: 0 });
}

/** The client's counts so far; zeros before its first message. */
export function messageCounts(client: Client): Readonly<ClientMessageCounts> {
  return (client as Counted)[COUNTS] ?? NONE;
}

type CountedHooks = Pick<AedesOptions, 'authorizePublish' | 'authorizeForward'>;

/** Returns `hooks` with their authorizePublish and authorizeForward also counting per client. */
export function countPerClient<Hooks extends CountedHooks>(hooks: Hooks): Hooks {
  const { authorizePublish, authorizeForward } = hooks;
  // Without them Aedes would use its defaults, which these wrappers would silently replace.
  if (!authorizePublish || !authorizeForward) {
    throw new TypeError('countPerClient needs both authorizePublish and authorizeForward');
  }
  return {
    ...hooks,
    authorizePublish(client, packet, callback) {
      // client is null only for the will of a client of a broker that died (clustered persistence).
      if (client !== null) countsOf(client).published++;
      authorizePublish(client, packet, callback);
    },
    authorizeForward(client, packet) {
      const forwarded = authorizeForward(client, packet);
      if (forwarded) countsOf(client).delivered++;
      return forwarded;
    },
  } satisfies CountedHooks;
}
