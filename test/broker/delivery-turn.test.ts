/**
 * When a delivery leaves: on a connection that gathers its writes until the end of the loop turn
 * (broker/write-coalescing.ts), Aedes' delivery writes at once (patches/aedes+*.patch,
 * lib/client.js `deliver0`, `deliverQoS`), and the bytes go out with that turn's flush rather than
 * a loop iteration later.
 */
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { record, subscribe, waitFor } from '../helpers/mqtt-clients.js';
import { brokerTestbed } from './fixtures.js';

const { brokers, clients } = brokerTestbed();

describe('a delivery', () => {
  for (const qos of [0, 1] as const) {
    it(`at QoS ${qos} reaches the subscriber's socket in the loop turn it was published in`, async () => {
      const { broker, url } = await brokers.start();
      const subscriber = await clients.connect(url, { clientId: `turn-subscriber-${qos}` });
      const received = record(subscriber);
      await subscribe(subscriber, 'turn/#', qos);
      const conn = (broker.aedes as unknown as { clients: Record<string, { conn: Socket }> }).clients[
        `turn-subscriber-${qos}`
      ]!.conn;
      const before = conn.bytesWritten;
      // Published from a timer: this turn's flush is an immediate queued by the delivery's write. An
      // immediate queued after the publish runs behind it, so it sees the bytes handed to the socket;
      // a delivery deferred to an immediate of its own would queue its flush for the next iteration.
      const written = await new Promise<number>((resolve) =>
        setTimeout(() => {
          broker.aedes.publish(
            { cmd: 'publish', topic: 'turn/1', payload: Buffer.from('x'), qos, retain: false, dup: false },
            () => undefined,
          );
          setImmediate(() => resolve(conn.bytesWritten - before));
        }, 0),
      );
      expect(written).toBeGreaterThan(0);
      await waitFor(() => received.some((message) => message.topic === 'turn/1'), 'the delivery');
    });
  }
});
