/**
 * Moves the queue to the remote, oldest first, while connected. Up to `window` messages are with
 * mqtt.js at once; each leaves the queue when mqtt.js reports it done: QoS 1 on PUBACK, QoS 0 once
 * written. A QoS 1 message that was in flight when the connection dropped stays in mqtt.js' outgoing
 * store, which sends it again first on reconnect, so the cursor never moves back and nothing is sent
 * twice by us. A QoS 0 message the connection dropped is lost, as QoS 0 allows, and so is a message
 * the remote refuses (both counted in `lost`).
 */
import type { MqttClient } from 'mqtt';
import { errorMessage } from '../core/runtime/errors.js';
import type { Logger } from '../core/runtime/logger.js';
import type { BridgeQueue, QueuedMessage } from './queue.js';

export const DEFAULT_WINDOW = 256;

export class Sender {
  /** Highest queue id handed to mqtt.js. */
  private cursor = 0;
  private inFlight = 0;
  private wakeUp: (() => void) | undefined;
  private onIdle: (() => void) | undefined;
  private stopped = false;
  private readonly done: Promise<void>;
  sent = 0;
  lost = 0;

  constructor(
    private readonly client: MqttClient,
    private readonly queue: BridgeQueue,
    private readonly log: Logger,
    /** Called just before a message is handed to mqtt.js (loop prevention remembers it). */
    private readonly beforeSend: (message: QueuedMessage) => void,
    private readonly window = DEFAULT_WINDOW,
  ) {
    client.on('connect', () => this.wake());
    this.done = this.loop();
  }

  /** There may be something new to send. */
  wake(): void {
    const wakeUp = this.wakeUp;
    this.wakeUp = undefined;
    wakeUp?.();
  }

  /**
   * Sends nothing more, and waits up to `graceMs` for what is in flight to be acknowledged; what is
   * not stays queued for the next start.
   */
  async stop(graceMs: number): Promise<void> {
    this.stopped = true;
    this.wake();
    await this.done;
    if (this.inFlight === 0 || !this.client.connected) return;
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      this.onIdle = resolve;
      timer = setTimeout(resolve, graceMs);
    });
    clearTimeout(timer);
    if (this.inFlight > 0) {
      this.log.warn({ inFlight: this.inFlight }, 'bridge messages unacknowledged at stop stay queued');
    }
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      const room = this.window - this.inFlight;
      const batch = this.client.connected && room > 0 ? this.queue.read(this.cursor, room) : [];
      if (batch.length === 0) {
        await new Promise<void>((resolve) => {
          this.wakeUp = resolve;
        });
        continue;
      }
      // mqtt-packet writes each PUBLISH as several small chunks; corked, a whole batch leaves in one
      // writev instead of a system call per chunk (QoS 0 throughput in bench/bridge.ts rose by about half).
      const stream = this.client.stream;
      stream.cork();
      try {
        for (const message of batch) this.send(message);
      } finally {
        stream.uncork();
      }
      // Let acknowledgements and new messages in before the next batch.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  private send(message: QueuedMessage): void {
    this.cursor = message.id;
    this.inFlight += 1;
    this.beforeSend(message);
    this.client.publish(
      message.topic,
      message.payload,
      { qos: message.qos, retain: message.retain },
      (error) => {
        this.inFlight -= 1;
        if (!error) {
          this.sent += 1;
          this.queue.remove(message.id);
        } else if (this.client.disconnecting) {
          // We are ending the client: the message stays queued and goes out after the next start.
          this.log.debug(
            { topic: message.topic, reason: errorMessage(error) },
            'bridge publish cut short by stop',
          );
        } else {
          // A QoS 0 message the connection dropped, or one the remote refused (MQTT 5 PUBACK >= 0x80):
          // sending it again would not help.
          this.lost += 1;
          this.queue.remove(message.id);
          const level = message.qos === 0 ? 'debug' : 'warn';
          this.log[level](
            { topic: message.topic, reason: errorMessage(error) },
            'bridge message not delivered',
          );
        }
        if (this.inFlight === 0) this.onIdle?.();
        this.wake();
      },
    );
  }
}
