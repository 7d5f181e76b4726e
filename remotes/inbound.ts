/**
 * The `in` side of a bridge: remote subscriptions for the rules that bring messages in, and each
 * message published on the bus before it is acknowledged to the remote. We override mqtt.js'
 * handleMessage, whose callback sends the PUBACK, so a QoS 1 message is never lost between the two
 * brokers; mqtt.js handles incoming packets one at a time, so a slow bus also slows the remote down.
 */
import type { IPublishPacket, MqttClient } from 'mqtt';
import type { Bus } from '../core/bus/bus.js';
import { errorMessage } from '../core/runtime/errors.js';
import type { Logger } from '../core/runtime/logger.js';
import type { EchoFilter } from './echo-filter.js';
import { inboundRoute, sendsOut, type TopicRule } from './topic-map.js';

export interface InboundCounters {
  /** Messages published on the bus. */
  received: number;
  /** Messages not sent on because they were the bridge's own, coming back (loop prevention). */
  echoes: number;
}

export interface InboundOptions {
  readonly rules: readonly TopicRule[];
  readonly bus: Bus;
  readonly protocolVersion: 4 | 5;
  /** Remembers what we publish on the bus, so the `out` side does not send it back. */
  readonly localEcho: EchoFilter;
  /** What we sent to the remote (MQTT 3.1.1 only): coming back, it is not brought in. */
  readonly remoteEcho: EchoFilter | undefined;
  readonly counters: InboundCounters;
  readonly log: Logger;
}

export function bringIn(client: MqttClient, options: InboundOptions): void {
  const { rules, bus, localEcho, remoteEcho, counters, log } = options;
  const handle = async (packet: IPublishPacket): Promise<void> => {
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    if (remoteEcho?.isEcho(packet.topic, payload)) {
      counters.echoes += 1;
      return;
    }
    const route = inboundRoute(rules, packet.topic);
    if (!route) return;
    if (sendsOut(rules, route.localTopic)) localEcho.remember(route.localTopic, payload);
    const qos = Math.min(packet.qos, route.rule.qos) as 0 | 1;
    try {
      await bus.publish(route.localTopic, payload, { qos, retain: packet.retain });
      counters.received += 1;
    } catch (error) {
      // Only a closing bus refuses a publish; the bridge is stopping too.
      log.warn(
        { topic: route.localTopic, reason: errorMessage(error) },
        'bridged message not published on the bus',
      );
    }
  };
  client.handleMessage = (packet, done) => {
    void handle(packet).then(() => done());
  };

  for (const rule of rules.filter((r) => r.in)) {
    // Sent now or, while offline, on connect; mqtt.js subscribes again after every reconnect that
    // did not resume a session. No Local [MQTT-3.8.3-3]: an MQTT 5 remote never echoes our messages.
    const nl = options.protocolVersion === 5;
    client.subscribe(rule.remoteFilter, { qos: rule.qos, nl }, (error, granted) => {
      const refused = granted?.some((grant) => grant.qos === 128) ?? false;
      if (error || refused) {
        const reason = error ? errorMessage(error) : 'the remote refused the subscription (0x80)';
        log.error({ filter: rule.remoteFilter, reason }, 'bridge subscription failed');
      }
    });
  }
}
