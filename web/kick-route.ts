/**
 * `POST /api/broker/clients/<clientId>/kick`: disconnects one MQTT client of busbar's broker, for
 * the broker page's "kick" button and scripts. Needs the `write` role, a JSON body (`{}`; a form
 * of another site cannot send that type without a CORS preflight, never granted) and broker.acl's
 * leave to publish the request topic, as a silence does. The request goes over the bus to the
 * broker (broker/kick-requests.ts); the answer waits until the broker's client list no longer holds
 * that connection, so the page that asked shows it gone. Logged with who asked.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Bus } from '../core/bus/bus.js';
import type { Logger } from '../core/runtime/logger.js';
import type { Topics } from '../core/topics.js';
import type { Principal } from './auth.js';
import type { BusState } from './bus-state.js';
import { HttpError, readBody, sendJson } from './http.js';

/** The broker builds its client list at most once a second; a disconnect shows in the next one. */
const GONE_WAIT_MS = 5_000;

export interface KickContext {
  readonly state: BusState;
  readonly bus: Bus;
  readonly topics: Topics;
  readonly log: Logger;
  readonly principal: Principal;
  /** broker.acl alone, for this principal. */
  readonly canPublish: (topic: string) => boolean;
}

export async function handleKick(
  request: IncomingMessage,
  response: ServerResponse,
  clientId: string,
  context: KickContext,
): Promise<void> {
  const { state, bus, topics, principal } = context;
  if (!context.canPublish(topics.kickRequests))
    throw new HttpError(403, 'forbidden', `broker.acl denies publishing to ${topics.kickRequests}`);
  if (!(request.headers['content-type'] ?? '').includes('application/json'))
    throw new HttpError(415, 'unsupported', 'send the request as application/json ({})');
  await readBody(request, 1024);
  const listed = state.brokerClients.find((client) => client.clientId === clientId);
  if (listed === undefined)
    throw new HttpError(404, 'not found', `no client ${clientId} in the broker's client list`);
  const requestedBy = principal.aclUser ?? principal.name;
  await bus.publish(topics.kickRequests, JSON.stringify({ clientId, requestedBy }), { qos: 1 });
  const sameConnection = (client: Record<string, unknown>): boolean =>
    client.clientId === clientId && client.connectedSince === listed.connectedSince;
  const gone = await state.until('clients', () => !state.brokerClients.some(sameConnection), GONE_WAIT_MS);
  if (!gone) {
    throw new HttpError(
      504,
      'no answer',
      `${clientId} is still connected after ${GONE_WAIT_MS / 1000} s: only busbar's own broker takes kick requests`,
    );
  }
  context.log.info({ clientId, requestedBy }, 'MQTT client kicked from the web');
  sendJson(response, 200, { clientId, disconnected: true });
}
