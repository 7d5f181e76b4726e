/**
 * How long the bus's workers may keep the event loop before sockets get their turn. Every queue's
 * worker (bus-queue.ts) runs handlers back to back as microtasks, and a burst — the host agent's
 * sample of every collector, a bridge catching up, one SNMP poll of a whole PDU — can be tens of
 * milliseconds of work that no MQTT client is served during: a message passing through the broker
 * meanwhile waits for all of it. So the workers share one budget per loop turn and, once it is spent,
 * continue from `setImmediate`, after the loop has polled its sockets (docs/performance.md, "Broker
 * latency").
 */
import { performance } from 'node:perf_hooks';

/**
 * The budget of one turn. Small next to a message's latency budget (the broker's p99 is a few
 * milliseconds on a loaded host), large next to one handler call (microseconds), so that a steady
 * load still runs in batches and the yields cost nothing measurable.
 */
export const LOOP_SLICE_MS = 1;

/** When the current slice began; -1 while none is open. */
let sliceStartedAt = -1;

const closeSlice = (): void => {
  sliceStartedAt = -1;
};

/**
 * True once the workers have used this turn's budget: the caller should continue from
 * `setImmediate`. The first call of a turn opens the slice and schedules its end, so a turn with bus
 * work costs one immediate more, not one per message.
 */
export function loopSliceSpent(): boolean {
  const now = performance.now();
  if (sliceStartedAt < 0) {
    sliceStartedAt = now;
    setImmediate(closeSlice);
    return false;
  }
  return now - sliceStartedAt >= LOOP_SLICE_MS;
}
