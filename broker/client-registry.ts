/**
 * The connected clients by id, kept from Aedes' public `client` and `clientDisconnect` events, which
 * it emits as it adds a client to its own table and removes one from it: busbar needs no reach into
 * that table. A session taken over: the old client's `clientDisconnect` comes before the new one's
 * `client`; only the client registered under an id removes it.
 */
import type { Aedes, Client } from 'aedes';

export type ClientRegistry = ReadonlyMap<string, Client>;

export function trackClients(aedes: Aedes): ClientRegistry {
  const clients = new Map<string, Client>();
  aedes.on('client', (client) => clients.set(client.id, client));
  aedes.on('clientDisconnect', (client) => {
    if (clients.get(client.id) === client) clients.delete(client.id);
  });
  return clients;
}
