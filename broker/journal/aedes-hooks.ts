/**
 * Where the intake journal meets Aedes. Aedes writes a QoS 1 PUBACK before it publishes the message
 * (and a QoS 2 PUBREC after), but always after `authorizePublish` has called back: so that hook is
 * where a message is journaled, and its callback waits for the disk. Aedes' `publish` then tells us
 * when the message reached the subscribers' queues, which a checkpoint waits for.
 */
import type { Aedes, AedesOptions, Client, PublishPacket } from 'aedes';
import { nowNs } from '../../core/codecs/metric.js';
import { stampReceiveTime } from '../../core/bus/receive-time.js';
import { interceptPublish } from '../publish-intercept.js';
import type { IntakeJournal, Segment } from './journal.js';

type AuthorizePublish = NonNullable<AedesOptions['authorizePublish']>;

/** The segment holding a journaled packet, set on the packet Aedes hands to `publish`. */
const JOURNALED = Symbol('busbar.journaled');
type Journaled = PublishPacket & { [JOURNALED]?: Segment };

export interface IncomingStore {
  incomingGetPacket(client: Client, packet: { messageId?: number }): Promise<unknown>;
}

/**
 * Wraps `authorizePublish` (after busbar's own checks): a QoS 1/2 message from a client on a
 * journaled topic is written to the journal before Aedes may acknowledge it. A message the ACL
 * refused (`isDenied`) is never published, so it is not journaled either.
 */
export function journalPublishes(
  authorize: AuthorizePublish,
  journal: IntakeJournal,
  isDenied: (packet: PublishPacket) => boolean,
  store: () => IncomingStore,
): AuthorizePublish {
  const journalIt = (packet: Journaled, callback: (error?: Error | null) => void): void => {
    const receivedNs = nowNs();
    const payload = packet.payload as Buffer;
    stampReceiveTime(payload, receivedNs);
    journal.append(
      { receivedNs, qos: packet.qos === 2 ? 2 : 1, topic: packet.topic, payload },
      (error, segment) => {
        // An error closes the connection unacknowledged: the client sends the message again.
        if (error !== undefined) return callback(error);
        packet[JOURNALED] = segment;
        callback(null);
      },
    );
  };
  return (client, packet, callback) => {
    authorize(client, packet, (error) => {
      if (
        error ||
        client === null ||
        packet.qos === 0 ||
        !Buffer.isBuffer(packet.payload) ||
        isDenied(packet) ||
        !journal.wants(packet.topic)
      ) {
        return callback(error);
      }
      if (packet.qos === 2 && packet.dup) {
        // A QoS 2 resend of a message Aedes still holds is answered without a second publication
        // [MQTT-4.3.3-2]; it was journaled when it first came.
        store()
          .incomingGetPacket(client, packet)
          .then(
            () => callback(null),
            () => journalIt(packet, callback),
          );
        return;
      }
      journalIt(packet, callback);
    });
  };
}

/** Tells the journal when a journaled packet has been handed to every subscriber. */
export function trackJournaledPublishes(aedes: Aedes): void {
  interceptPublish(
    aedes,
    (publish) =>
      function (packet, client, done) {
        const segment = (packet as Journaled)[JOURNALED];
        if (segment === undefined || typeof done !== 'function')
          return publish.call(this, packet, client, done);
        publish.call(this, packet, client, (error) => {
          segment.published();
          done(error);
        });
      },
  );
}
