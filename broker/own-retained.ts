/**
 * At start, before any listener accepts a client, clears the retained messages the store holds on
 * busbar's own topics (core/topics.ts BUSBAR_OWN_KINDS). A persistent store (Redis) keeps them across
 * restarts, and one planted by a client while the broker still took them (an older version, a
 * looser ACL) would otherwise be trusted: a firing alarm in /api/alarms, a sink `down` in /health.
 * None was published in this run yet, and each is published again by its owner: statistics on their
 * next interval, alarm states and silences from the alarms component's state file (it publishes the
 * states the broker no longer holds, alarms/component.ts), the client list at once. This is what a
 * restart with the default memory store does anyway. Brokers sharing one Redis store see the clear
 * too, and their components publish their statistics again on their next interval.
 */
import type { Aedes, AedesPublishPacket } from 'aedes';
import type { Readable } from 'node:stream';
import { BUSBAR_OWN_KINDS } from '../core/topics.js';

interface RetainedStore {
  createRetainedStreamCombi(patterns: string[]): Readable;
}

/** Clears them; resolves with how many there were. */
export async function clearOwnRetained(aedes: Aedes, baseTopic: string): Promise<number> {
  const store = (aedes as unknown as { persistence: RetainedStore }).persistence;
  const patterns = BUSBAR_OWN_KINDS.flatMap((kind) => [`${baseTopic}/${kind}`, `${baseTopic}/${kind}/#`]);
  const topics = new Set<string>();
  for await (const packet of store.createRetainedStreamCombi(patterns)) {
    topics.add((packet as AedesPublishPacket).topic);
  }
  for (const topic of topics) {
    // An empty retained payload clears the topic [MQTT-3.3.1-10]; aedes.publish skips authorizePublish.
    await new Promise<void>((resolve, reject) =>
      aedes.publish(
        { cmd: 'publish', topic, payload: Buffer.alloc(0), qos: 0, retain: true, dup: false },
        (error) => (error ? reject(error) : resolve()),
      ),
    );
  }
  return topics.size;
}
