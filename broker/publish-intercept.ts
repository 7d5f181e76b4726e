/**
 * Aedes' protocol handlers and will publication call `broker.publish(packet, client, done)` with the
 * very packet object `authorizePublish` saw: so replacing `aedes.publish` is the one place to act on
 * every client message after its authorisation (Aedes has no public hook there). Used to drop ACL
 * denials (authorize.ts) and to follow journaled messages (journal/aedes-hooks.ts).
 */
import type { Aedes, Client, PublishPacket } from 'aedes';

export type PublishWithClient = (
  this: Aedes,
  packet: PublishPacket,
  client: Client | null | ((error?: Error) => void),
  done?: (error?: Error) => void,
) => void;

/** Replaces `aedes.publish` with what `intercept` makes of the current one. */
export function interceptPublish(
  aedes: Aedes,
  intercept: (publish: PublishWithClient) => PublishWithClient,
): void {
  const current = aedes.publish as unknown as PublishWithClient;
  (aedes as unknown as { publish: PublishWithClient }).publish = intercept(current);
}
