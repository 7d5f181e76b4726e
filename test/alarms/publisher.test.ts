import { describe, expect, it } from 'vitest';
import type { Bus } from '../../core/bus/bus.js';
import { AlarmPublisher } from '../../alarms/publisher.js';

/** A bus whose publishes are recorded and settle when the test says. */
function recordingBus() {
  const published: string[] = [];
  const pending: { settle: (error?: Error) => void }[] = [];
  const bus = {
    publish: (topic: string) =>
      new Promise<void>((resolve, reject) => {
        pending.push({
          settle: (error) => {
            if (error) return reject(error);
            published.push(topic);
            resolve();
          },
        });
      }),
    subscribe: () => Promise.reject(new Error('not used')),
    close: () => Promise.resolve(),
  } as unknown as Bus;
  const next = async (): Promise<{ settle: (error?: Error) => void }> => {
    while (pending.length === 0) await new Promise((resolve) => setImmediate(resolve));
    return pending.shift()!;
  };
  return { bus, published, next };
}

const publication = (topic: string) => ({ topic, payload: 'x', retain: true });

describe('AlarmPublisher', () => {
  it('costs no promise when nothing is queued and no drain runs, but still runs beforeDrain', () => {
    let before = 0;
    const publisher = new AlarmPublisher(recordingBus().bus, () => before++);
    expect(publisher.flush()).toBeUndefined();
    expect(before).toBe(1);
  });

  it('publishes what beforeDrain queued, in the same flush', async () => {
    const { bus, published, next } = recordingBus();
    const publisher = new AlarmPublisher(bus, () => publisher.add(publication('due')));
    const flushed = publisher.flush();
    expect(flushed).toBeInstanceOf(Promise);
    (await next()).settle();
    await flushed;
    expect(published[0]).toBe('due');
  });

  it('a flush while a drain runs waits for it, even with nothing of its own', async () => {
    const { bus, published, next } = recordingBus();
    const publisher = new AlarmPublisher(bus);
    publisher.add(publication('a'));
    const first = publisher.flush();
    publisher.add(publication('b'));
    const second = publisher.flush();
    const third = publisher.flush();
    expect(third).toBeInstanceOf(Promise);
    let thirdDone = false;
    void third!.then(() => (thirdDone = true));
    (await next()).settle();
    // 'a' is out; the drain goes on with 'b', and the third flush waits for it.
    const b = await next();
    expect(thirdDone).toBe(false);
    b.settle();
    await Promise.all([first, second, third]);
    expect(thirdDone).toBe(true);
    expect(published).toEqual(['a', 'b']);
    // Idle again: back to no promise.
    expect(publisher.flush()).toBeUndefined();
  });

  it('rejects with a publish failure and publishes the same message at the next flush', async () => {
    const { bus, published, next } = recordingBus();
    const publisher = new AlarmPublisher(bus);
    publisher.add(publication('kept'));
    const failing = publisher.flush();
    (await next()).settle(new Error('broker closed'));
    await expect(failing).rejects.toThrow('broker closed');
    const retry = publisher.flush();
    expect(retry).toBeInstanceOf(Promise);
    (await next()).settle();
    await retry;
    expect(published).toEqual(['kept']);
  });
});
