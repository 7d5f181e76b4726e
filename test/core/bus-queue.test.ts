import { describe, expect, it } from 'vitest';
import type { BusMessage, MessageHandler } from '../../core/bus/bus.js';
import { DeliveryQueue, trackPublish } from '../../core/bus/bus-queue.js';
import { captureLog } from '../helpers/log-capture.js';
import { waitFor, within } from '../helpers/mqtt-clients.js';

const message = (payload: string, qos: 0 | 1 = 1): BusMessage => ({
  topic: 't',
  payload: Buffer.from(payload),
  retain: false,
  qos,
});

/** A queue whose handler records payloads and waits at a gate the test opens. */
function gated(options: { capacity: number; dropQos0WhenFull: boolean }) {
  const handled: string[] = [];
  let open: () => void = () => undefined;
  let gate = new Promise<void>((resolve) => (open = resolve));
  const log = captureLog();
  const queue = new DeliveryQueue({
    filter: 't',
    log: log.logger,
    ...options,
    handler: async (m) => {
      handled.push(m.payload.toString());
      await gate;
    },
  });
  const release = (): void => {
    open();
    gate = Promise.resolve();
  };
  return { queue, handled, release, log };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A queue of capacity 1 that holds its publishers when full. */
const queueOf = (handler: MessageHandler, filter = 't'): DeliveryQueue =>
  new DeliveryQueue({ filter, capacity: 1, dropQos0WhenFull: false, log: captureLog().logger, handler });

/** A queue on `t` with room for ten messages, logging to `log`. */
const roomyQueue = (log: ReturnType<typeof captureLog>, handler: MessageHandler): DeliveryQueue =>
  new DeliveryQueue({ filter: 't', capacity: 10, dropQos0WhenFull: false, log: log.logger, handler });

describe('DeliveryQueue', () => {
  it('holds whoever offers to a full queue until the worker makes room, in order', async () => {
    const { queue, handled, release } = gated({ capacity: 2, dropQos0WhenFull: false });
    const accepted: string[] = [];
    for (const p of ['a', 'b', 'c', 'd', 'e']) queue.offer(message(p), () => accepted.push(p));
    await tick();
    // 'a' in the handler, 'b' and 'c' queued, 'd' and 'e' waiting.
    expect(accepted).toEqual(['a', 'b', 'c']);
    expect(queue.queued).toBe(2);
    release();
    await waitFor(() => handled.length === 5, 'all five handled');
    expect(accepted).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(handled).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('drops the oldest queued QoS 0 message, never a queued QoS 1 one', async () => {
    const { queue, handled, release, log } = gated({ capacity: 3, dropQos0WhenFull: true });
    const offer = (p: string, qos: 0 | 1): void => queue.offer(message(p, qos), () => undefined);
    offer('busy', 1);
    await tick();
    offer('q1-a', 1);
    offer('q0-a', 0);
    offer('q1-b', 1);
    offer('q0-b', 0); // full: replaces q0-a
    offer('q0-c', 0); // full: replaces q0-b
    expect(queue.dropped).toBe(2);
    release();
    await waitFor(() => handled.length === 4, 'the four kept messages handled');
    expect(handled).toEqual(['busy', 'q1-a', 'q1-b', 'q0-c']);
    expect(log.find('dropped the oldest QoS 0')).toHaveLength(1); // rate-limited
  });

  it('drops an incoming QoS 0 message when only QoS 1 messages are queued', async () => {
    const { queue, handled, release } = gated({ capacity: 2, dropQos0WhenFull: true });
    for (const p of ['busy', 'q1-a', 'q1-b']) queue.offer(message(p), () => undefined);
    queue.offer(message('q0', 0), () => undefined);
    expect(queue.dropped).toBe(1);
    release();
    await waitFor(() => handled.length === 3, 'the three QoS 1 messages handled');
    expect(handled).toEqual(['busy', 'q1-a', 'q1-b']);
  });

  it('takes messages beyond its capacity while its own handler awaits a publish', async () => {
    const accepted: string[] = [];
    let publishing: () => void = () => undefined;
    let firstPublish = true;
    // Only the first handler's publish hangs until released; later ones complete, so stop() drains.
    const publish = (): Promise<void> => {
      if (!firstPublish) return Promise.resolve();
      firstPublish = false;
      return new Promise<void>((resolve) => (publishing = resolve));
    };
    const queue: DeliveryQueue = new DeliveryQueue({
      filter: 't',
      capacity: 1,
      dropQos0WhenFull: false,
      log: captureLog().logger,
      handler: () => trackPublish(publish),
    });
    queue.offer(message('first'), () => accepted.push('first'));
    queue.offer(message('second'), () => accepted.push('second'));
    queue.offer(message('held'), () => accepted.push('held'));
    expect(accepted).toEqual(['first']);
    await tick(); // the handler starts and awaits its publish: the held publisher is let in
    expect(accepted).toEqual(['first', 'second', 'held']);
    queue.offer(message('more'), () => accepted.push('more'));
    expect(accepted).toContain('more');
    publishing();
    await within(queue.stop(), 10_000, 'stop() once the held publish completed');
  });

  it('also when its handler starts the publish after an await', async () => {
    let publishing: () => void = () => undefined;
    const accepted: string[] = [];
    let first = true;
    const queue = queueOf(async () => {
      await tick();
      if (!first) return;
      first = false;
      await trackPublish(() => new Promise<void>((resolve) => (publishing = resolve)));
    });
    for (const p of ['first', 'second', 'held']) queue.offer(message(p), () => accepted.push(p));
    expect(accepted).toEqual(['first']);
    await waitFor(() => accepted.includes('held'), "'held' taken beyond capacity");
    publishing();
    await within(queue.stop(), 10_000, 'stop() once the held publish completed');
  });

  it('a publish from outside any handler leaves a full queue holding its publishers', async () => {
    const accepted: string[] = [];
    const queue = queueOf(() => undefined);
    // The worker has not started yet: 'a' is queued and 'b' waits.
    for (const p of ['a', 'b']) queue.offer(message(p), () => accepted.push(p));
    let seenByPublish: string[] = [];
    // A tracked publish lets its queues take everything at once, before the publish itself starts.
    await trackPublish(async () => {
      seenByPublish = [...accepted];
    });
    expect(seenByPublish).toEqual(['a']);
    await waitFor(() => accepted.length === 2, "'b' let in once 'a' was handled");
    expect(accepted).toEqual(['a', 'b']);
  });

  it("another queue's handler publishing leaves a full queue holding its publishers", async () => {
    const { queue: full, release } = gated({ capacity: 1, dropQos0WhenFull: false });
    const accepted: string[] = [];
    for (const p of ['a', 'b', 'c']) full.offer(message(p), () => accepted.push(p));
    let publishing: () => void = () => undefined;
    let publishStarted = false;
    const other = queueOf(
      () =>
        trackPublish(() => {
          publishStarted = true;
          return new Promise<void>((resolve) => (publishing = resolve));
        }),
      'other',
    );
    other.offer(message('x'), () => undefined);
    await waitFor(() => publishStarted, "the other queue's publish");
    await tick();
    // 'a' in the handler, 'b' queued, 'c' still held.
    expect(accepted).toEqual(['a', 'b']);
    publishing();
    release();
    await waitFor(() => accepted.includes('c'), "'c' once the handler made room");
    await within(Promise.all([full.stop(), other.stop()]), 10_000, 'both queues stop');
  });

  it('counts and logs handler failures, rate-limited, and goes on', async () => {
    const log = captureLog();
    const handled: string[] = [];
    const queue = roomyQueue(log, (m) => {
      handled.push(m.payload.toString());
      throw new Error('bug');
    });
    for (const p of ['a', 'b', 'c']) queue.offer(message(p), () => undefined);
    await waitFor(() => handled.length === 3, 'all three handled');
    expect(handled).toEqual(['a', 'b', 'c']);
    expect(queue.failed).toBe(3);
    expect(log.find('message handler failed')).toHaveLength(1);
  });

  it('calls a handler that returns nothing for each message in order, outside the offering call, mixed with async ones', async () => {
    const log = captureLog();
    const handled: string[] = [];
    let inOffer = false;
    const queue = roomyQueue(log, (m) => {
      const payload = m.payload.toString();
      expect(inOffer).toBe(false);
      handled.push(payload);
      if (payload === 'async') return new Promise<void>((resolve) => setImmediate(resolve));
      if (payload === 'rejects') return Promise.reject(new Error('late failure'));
      return undefined;
    });
    for (const p of ['a', 'async', 'b', 'rejects', 'c']) {
      inOffer = true;
      queue.offer(message(p), () => undefined);
      inOffer = false;
    }
    expect(handled).toEqual([]);
    await queue.settled();
    expect(handled).toEqual(['a', 'async', 'b', 'rejects', 'c']);
    expect(queue.failed).toBe(1);
    expect(log.find('message handler failed')[0]).toMatchObject({ topic: 't', failed: 1 });
    // The worker is idle again: a new message starts it once more.
    queue.offer(message('d'), () => undefined);
    await queue.settled();
    expect(handled.at(-1)).toBe('d');
  });

  it('stop() drains: every message already taken reaches the handler, later ones are discarded', async () => {
    const { queue, handled, release, log } = gated({ capacity: 1, dropQos0WhenFull: false });
    const accepted: string[] = [];
    for (const p of ['a', 'b', 'c']) queue.offer(message(p), () => accepted.push(p));
    await tick();
    // Capacity 1: 'a' is in the handler, 'b' is queued, 'c' waits (its publisher is held).
    expect(accepted).toEqual(['a', 'b']);
    let stopped = false;
    const stopping = queue.stop().then(() => (stopped = true));
    // Stopping releases the held publishers at once: they must not wait for the drain.
    expect(accepted).toEqual(['a', 'b', 'c']);
    await tick();
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(handled).toEqual(['a', 'b', 'c']);
    expect(log.find('did not drain')).toEqual([]);
    queue.offer(message('late'), () => accepted.push('late'));
    await tick();
    expect(accepted).toContain('late');
    expect(handled).not.toContain('late');
  });

  it('stop() gives up on a stuck handler after its timeout, discards the rest, and says so', async () => {
    const log = captureLog();
    const queue = new DeliveryQueue({
      filter: 'stuck/#',
      capacity: 1,
      dropQos0WhenFull: false,
      log: log.logger,
      handler: () => new Promise<void>(() => undefined),
    });
    queue.offer(message('forever'), () => undefined);
    queue.offer(message('never handled'), () => undefined);
    await tick();
    // The handler never returns: waiting for it would outlast `within`.
    await within(queue.stop(50), 10_000, 'stop() beside a stuck handler');
    expect(log.find('did not drain in time')[0]).toMatchObject({ filter: 'stuck/#', discarded: 1 });
  });
});
