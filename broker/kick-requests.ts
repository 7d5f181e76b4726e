/**
 * Disconnects a client on request: the web's "kick" (web/kick-route.ts) publishes
 * `{"clientId": "...", "requestedBy": "..."}` on `<base>/control/kick`, one of busbar's own topics, so
 * only busbar's components (in-process, or component users of a remote bus) may ask. Going through
 * the bus keeps the web free of the broker: it works the same when the web runs in another process.
 * The answer is the client list (`<base>/broker/clients`) without the client.
 */
import type { Aedes, AedesPublishPacket } from 'aedes';
import type { ClientRegistry } from './client-registry.js';
import type { Logger } from '../core/runtime/logger.js';

export interface KickRequests {
  /** Stops taking requests; does not wait (closing Aedes drops its subscriptions anyway). */
  stop(): void;
}

/** A request's clientId and who asked, or undefined when the payload is not one. */
function parseRequest(payload: Buffer | string): { clientId: string; requestedBy: string } | undefined {
  try {
    const parsed = JSON.parse(payload.toString()) as { clientId?: unknown; requestedBy?: unknown };
    if (typeof parsed.clientId !== 'string' || parsed.clientId === '') return undefined;
    return { clientId: parsed.clientId, requestedBy: String(parsed.requestedBy ?? '') };
  } catch {
    return undefined;
  }
}

export async function startKickRequests(
  aedes: Aedes,
  clients: ClientRegistry,
  topic: string,
  log: Logger,
): Promise<KickRequests> {
  const deliver = (packet: AedesPublishPacket, done: () => void): void => {
    done();
    const request = parseRequest(packet.payload);
    if (request === undefined) return void log.warn({ topic }, 'kick request ignored: not {"clientId": ...}');
    const client = clients.get(request.clientId);
    if (client === undefined) {
      log.info(request, 'kick request for a client not connected');
      return;
    }
    log.info(request, 'MQTT client disconnected on request');
    client.close();
  };
  await new Promise<void>((resolve) => aedes.subscribe(topic, deliver, resolve));
  return {
    // Not awaited: the unsubscribe's callback can wait on Aedes' emitter, and close() must not.
    stop: () => aedes.unsubscribe(topic, deliver, () => undefined),
  };
}
