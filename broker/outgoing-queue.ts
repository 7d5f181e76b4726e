/**
 * `broker.maxQueuedMessages` / `maxQueuedBytes` / `queueAfter`: every client gets an outgoing queue
 * of its own, bounded like Mosquitto's `max_queued_messages` / `max_queued_bytes`, so that a
 * subscriber that stops reading cannot hold up delivery to anyone else.
 *
 * Why this reaches into Aedes: Aedes hands a message to its subscribers through mqemitter, whose
 * emit completes only when every subscriber's deliver callback has run, and a client's deliver
 * callback runs only once its socket accepted the write, that is after 'drain' when the socket's
 * buffer was full (aedes/lib/client.js `deliver0`/`deliverQoS`, lib/write.js `waitForDrain`). The
 * publisher's next packets are parsed only after its publish completed, and mqemitter runs at most
 * `concurrency` (100) emits at once; so one subscriber that does not read stalls every publisher and
 * every other subscriber until `drainTimeout` drops it. Aedes has no option or hook for this.
 *
 * So, right after `aedes.handle()` returns the client and before any SUBSCRIBE is handled (Aedes
 * reads `client.deliver0`/`client.deliverQoS` when it registers a subscription, and `deliverQoS`
 * when it sends retained messages), both are replaced on that client instance with versions that
 * pass the message to Aedes' own with a callback of their own. The messages whose write has not
 * completed are the client's queue, counted in messages and in bytes on the wire; their bytes wait
 * in the connection's write buffer, in order.
 *
 * While the client keeps up, each deliver callback still waits for its write, as in Aedes: that is
 * what slows fast publishers down to what their subscribers take (completing at once instead, a
 * fan-in benchmark queued its whole run, 16 MB, before writing anything: Aedes writes in
 * `setImmediate`, after the loop has read every publisher). The client is behind once its socket
 * has refused more data (`writableNeedDrain`) at two looks `queueAfter` apart with no 'drain'
 * between them: its reader, not busbar's own busy loop, is what holds the writes. Wall time since
 * the delivery would not tell them apart: under load one loop turn parses thousands of messages
 * and takes longer than that. From then on the callbacks it holds complete at once, and so does
 * every delivery to it until its queue is empty again. Beyond either bound, a QoS 0 message is dropped for that client
 * and counted; a QoS 1/2 message closes its connection (its persistent session keeps the message:
 * Aedes stored it for every persistent subscriber before delivering it, and keeps it until the
 * client's PUBACK).
 *
 * Not counted here: the offline queue Aedes sends at CONNECT (handlers/connect.js writes it one
 * message at a time, waiting for each write, so it holds up no one else).
 */
import type { AedesPublishPacket, Client } from 'aedes';

export interface OutgoingLimits {
  /** Messages waiting to be written to one client; 0 means no limit. */
  readonly maxMessages: number;
  /** Their bytes on the wire; 0 means no limit. */
  readonly maxBytes: number;
  /** How long a client's socket may refuse data while its deliveries still wait for it, in ms. */
  readonly queueAfterMs: number;
}

/** Broker-wide totals, shared with the $SYS statistics (sys-stats.ts). */
export interface OverflowCounters {
  /** QoS 0 messages dropped because a client's queue was full. */
  dropped: number;
  /** Connections closed because a QoS 1/2 message found a client's queue full. */
  queueDisconnects: number;
}

/** One client's queue, as the client list shows it. */
export interface OutgoingQueueState {
  /** Messages handed to the client whose write has not completed. */
  messages: number;
  bytes: number;
  /** The most it held at once since it connected. */
  peakMessages: number;
  peakBytes: number;
  /** QoS 0 messages dropped for it because its queue was full. */
  dropped: number;
  /** True while it is behind: deliveries to it no longer wait for its writes. */
  behind: boolean;
  /** Set once a QoS 1/2 message found the queue full and its connection is being closed. */
  overflowed: boolean;
}

export interface OutgoingQueueOptions extends OutgoingLimits {
  readonly counters: OverflowCounters;
  /**
   * Called when a client's queue is full: at its first dropped QoS 0 message (`dropping`), and when
   * a QoS 1/2 message overflows it, just before its connection is closed (`disconnecting`).
   */
  readonly onFull: (
    client: Client,
    outcome: 'dropping' | 'disconnecting',
    state: Readonly<OutgoingQueueState>,
    packet: AedesPublishPacket,
  ) => void;
}

type Deliver = (packet: AedesPublishPacket, callback: () => void) => void;

interface Delivering {
  deliver0: Deliver;
  deliverQoS: Deliver;
  conn: {
    readonly writableNeedDrain: boolean;
    on(event: 'drain', listener: () => void): void;
    destroy(error?: Error): void;
  };
}

/** A delivery whose mqemitter callback still waits for its write. */
interface Held {
  readonly callback: () => void;
}

const QUEUE = Symbol('busbar.outgoingQueue');
const EMPTY: Readonly<OutgoingQueueState> = Object.freeze({
  messages: 0,
  bytes: 0,
  peakMessages: 0,
  peakBytes: 0,
  dropped: 0,
  behind: false,
  overflowed: false,
});

/** The client's queue; zeros for a client the bound was not installed on. */
export function outgoingQueue(client: Client): Readonly<OutgoingQueueState> {
  return (client as { [QUEUE]?: OutgoingQueueState })[QUEUE] ?? EMPTY;
}

/** Returns a function that bounds one new client's queue; called once per connection. */
export function createOutgoingQueues(options: OutgoingQueueOptions): (client: Client) => void {
  const maxMessages = options.maxMessages > 0 ? options.maxMessages : Infinity;
  const maxBytes = options.maxBytes > 0 ? options.maxBytes : Infinity;
  const { counters, onFull, queueAfterMs } = options;

  return function bound(client) {
    const target = client as unknown as Delivering;
    if (typeof target.deliver0 !== 'function' || typeof target.deliverQoS !== 'function') {
      // Aedes changed shape: fail loudly rather than run with one client able to stall the others.
      throw new Error('cannot bound the outgoing queue: aedes client has no deliver0/deliverQoS');
    }
    const state: OutgoingQueueState = { ...EMPTY };
    (client as { [QUEUE]?: OutgoingQueueState })[QUEUE] = state;
    const deliver0 = target.deliver0;
    const deliverQoS = target.deliverQoS;
    const conn = target.conn;
    const held = new Set<Held>();
    let timer: NodeJS.Timeout | undefined;
    let drains = 0;
    conn.on('drain', () => drains++);
    // What the previous look saw; the first look after a quiet spell saw nothing yet.
    let refusedAtLastLook = false;
    let drainsAtLastLook = 0;

    function look(): void {
      timer = undefined;
      if (held.size === 0) {
        refusedAtLastLook = false;
        return;
      }
      const refused = conn.writableNeedDrain;
      if (!(refused && refusedAtLastLook && drains === drainsAtLastLook)) {
        refusedAtLastLook = refused;
        drainsAtLastLook = drains;
        timer = setTimeout(look, queueAfterMs).unref();
        return;
      }
      refusedAtLastLook = false;
      state.behind = true;
      for (const entry of held) entry.callback();
      held.clear();
    }

    function enqueue(deliver: Deliver, packet: AedesPublishPacket, qos: number, callback: () => void): void {
      if (state.overflowed) {
        // Its connection is closing; the session keeps QoS 1/2 messages.
        process.nextTick(callback);
        return;
      }
      const bytes = wireSize(packet, qos);
      // A message larger than maxBytes still goes to an empty queue, or it could never be sent.
      if (state.messages > 0 && (state.messages >= maxMessages || state.bytes + bytes > maxBytes)) {
        process.nextTick(callback);
        if (qos === 0) {
          counters.dropped++;
          if (++state.dropped === 1) onFull(client, 'dropping', state, packet);
          return;
        }
        state.overflowed = true;
        counters.queueDisconnects++;
        onFull(client, 'disconnecting', state, packet);
        target.conn.destroy(new Error('outgoing queue full'));
        return;
      }
      state.messages++;
      state.bytes += bytes;
      if (state.messages > state.peakMessages) state.peakMessages = state.messages;
      if (state.bytes > state.peakBytes) state.peakBytes = state.bytes;

      let entry: Held | undefined;
      if (state.behind) {
        // On the next tick rather than now: mqemitter starts its next queued emit from this
        // callback, and a synchronous one would nest emits on the stack.
        process.nextTick(callback);
      } else {
        entry = { callback };
        held.add(entry);
        timer ??= setTimeout(look, queueAfterMs).unref();
      }
      deliver.call(target, packet, () => {
        state.messages--;
        state.bytes -= bytes;
        if (entry !== undefined && held.delete(entry)) entry.callback();
        if (state.messages === 0) state.behind = false;
      });
    }

    target.deliver0 = (packet, callback) => enqueue(deliver0, packet, 0, callback);
    // Aedes' deliverQoS hands QoS 0 packets to deliver0; doing it here counts them once.
    target.deliverQoS = (packet, callback) =>
      packet.qos > 0 ? enqueue(deliverQoS, packet, packet.qos, callback) : target.deliver0(packet, callback);
  };
}

/** Bytes of the PUBLISH on the wire: fixed header, remaining length, topic, packet id, payload [MQTT-3.3]. */
function wireSize(packet: AedesPublishPacket, qos: number): number {
  const payload = packet.payload;
  const payloadBytes = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
  const remaining = 2 + Buffer.byteLength(packet.topic) + (qos > 0 ? 2 : 0) + payloadBytes;
  const lengthBytes = remaining < 128 ? 1 : remaining < 16_384 ? 2 : remaining < 2_097_152 ? 3 : 4;
  return 1 + lengthBytes + remaining;
}
