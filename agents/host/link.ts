/**
 * How the agent reaches the broker. Inside `busbar start` it is the component's bus; standalone it is
 * an MQTT connection of its own (link-mqtt.ts), which also says when it (re)connects so the agent
 * can restate `online` and its inventory, which the broker may have lost or replaced by the will.
 */
import type { Bus } from '../../core/bus/bus.js';

export interface LinkPublishOptions {
  readonly qos: 0 | 1;
  readonly retain: boolean;
}

export interface AgentLink {
  /** False while the agent should not even try: samples then stay in the agent's buffer. */
  readonly connected: boolean;
  /** Resolves once the broker has the message; rejects when it cannot be sent now. */
  publish(topic: string, payload: string, options: LinkPublishOptions): Promise<void>;
  /** `listener` runs after every (re)connection; the in-process bus never disconnects. */
  onConnect(listener: () => void): void;
}

/** The component's bus as a link. Its connection, if remote, is the bus's business. */
export function busLink(bus: Bus): AgentLink {
  return {
    connected: true,
    publish: (topic, payload, options) => bus.publish(topic, payload, options),
    onConnect: () => undefined,
  };
}
