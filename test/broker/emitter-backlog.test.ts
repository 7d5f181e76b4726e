/**
 * busbar's patch of mqemitter (patches/mqemitter+*.patch): past `concurrency` messages in flight,
 * Aedes' emitter queues the rest and starts one each time one finishes. A message whose listeners
 * finish at once (busbar's in-process subscribers do when their queue has room) started the next
 * from inside its own completion, a few stack frames deeper each time; one socket read of small
 * QoS 0 publishes queues over a thousand, and a backlog of a few thousand overflowed the stack:
 * the messages of the broken chain were lost and the emitter stalled. What must hold: any backlog
 * drains completely, in order, at a constant stack depth.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

interface Message {
  topic: string;
  n: number;
}
type Listener = (message: Message, done: () => void) => void;
interface Emitter {
  on(topic: string, listener: Listener, done?: () => void): Emitter;
  emit(message: Message, done?: (error?: Error) => void): Emitter;
  readonly length: number;
  current: number;
}
const mqemitter = createRequire(import.meta.url)('mqemitter') as (options?: {
  concurrency?: number;
}) => Emitter;

/** Far more than the stack holds when each queued message starts the next one frame deeper. */
const BACKLOG = 20_000;

describe('mqemitter with a backlog of messages whose listeners finish at once', () => {
  it('drains it completely and in order once the message holding it finishes', () => {
    const emitter = mqemitter({ concurrency: 1 });
    const seen: number[] = [];
    let hold: (() => void) | undefined;
    emitter.on('metrics/#', (message, done) => {
      seen.push(message.n);
      // The first message is held (a full subscriber queue); every later one is taken at once.
      if (message.n === 0) hold = done;
      else done();
    });
    const completed: number[] = [];
    for (let n = 0; n < BACKLOG; n++) {
      emitter.emit({ topic: `metrics/h${n % 100}`, n }, (error) => {
        if (error) throw error;
        completed.push(n);
      });
    }
    expect(emitter.length).toBe(BACKLOG - 1);
    expect(hold).toBeDefined();

    hold!();

    expect(seen).toHaveLength(BACKLOG);
    expect(seen.every((n, i) => n === i)).toBe(true);
    expect(completed).toHaveLength(BACKLOG);
    expect(emitter.length).toBe(0);
    expect(emitter.current).toBe(0);
  });

  it('keeps the concurrency bound while draining: new emits queue behind the backlog', () => {
    const emitter = mqemitter({ concurrency: 2 });
    const seen: number[] = [];
    const held: (() => void)[] = [];
    emitter.on('t', (message, done) => {
      seen.push(message.n);
      // Messages 0 and 1 are held; the completion of message 5 emits a new one (a handler that
      // publishes), which must wait behind 6..9 rather than overtake them.
      if (message.n < 2) held.push(done);
      else done();
      if (message.n === 5) emitter.emit({ topic: 't', n: 10 });
    });
    for (let n = 0; n < 10; n++) emitter.emit({ topic: 't', n });
    expect(seen).toEqual([0, 1]);

    held[0]!();
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(emitter.current).toBe(1);

    held[1]!();
    expect(emitter.current).toBe(0);
  });

  it('starts waiting messages, oldest first, when a message is emitted while there is room', () => {
    // Room with messages waiting and no drain running: the state a first version of the patch could
    // leave behind, which held them until some other delivery finished.
    const emitter = mqemitter({ concurrency: 2 }) as Emitter & {
      _messageQueue: Message[];
      _messageCallbacks: (() => void)[];
    };
    const seen: number[] = [];
    emitter.on('t', (message, done) => {
      seen.push(message.n);
      done();
    });
    emitter._messageQueue.push({ topic: 't', n: 0 });
    emitter._messageCallbacks.push(() => undefined);
    emitter.emit({ topic: 't', n: 1 });
    expect(seen).toEqual([0, 1]);
    expect(emitter.length).toBe(0);
    expect(emitter.current).toBe(0);
  });
});
