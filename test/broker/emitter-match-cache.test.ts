/**
 * busbar's patch of mqemitter (patches/mqemitter+*.patch), the emitter Aedes routes every publish
 * through: the listeners matched for a topic are kept until the listeners change, so a topic seen
 * before costs a map lookup instead of a walk of the subscription trie. What must hold: a
 * subscription added or removed counts from the next message on, whatever was cached; and the
 * cache stays bounded.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

type Listener = (message: { topic: string }, done: () => void) => void;
interface Emitter {
  on(topic: string, listener: Listener, done?: () => void): Emitter;
  removeListener(topic: string, listener: Listener, done?: () => void): Emitter;
  removeAllListeners(topic: string, done?: () => void): Emitter;
  emit(message: { topic: string }, done?: (error?: Error) => void): Emitter;
  _matcher: { match(topic: string): unknown[] };
  _matches: Map<string, unknown>;
}
const mqemitter = createRequire(import.meta.url)('mqemitter') as () => Emitter;

const emitted = (emitter: Emitter, topic: string): Promise<void> =>
  new Promise((resolve, reject) => emitter.emit({ topic }, (error) => (error ? reject(error) : resolve())));
const settled = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A listener that records the topics it is given. */
function recorder(): { listener: Listener; seen: string[] } {
  const seen: string[] = [];
  return {
    seen,
    listener: (message, done) => {
      seen.push(message.topic);
      done();
    },
  };
}

describe('mqemitter with the match cache', () => {
  it('walks the trie once per topic while the listeners stay the same', async () => {
    const emitter = mqemitter();
    const a = recorder();
    emitter.on('site/+/power', a.listener);
    let walks = 0;
    const match = emitter._matcher.match.bind(emitter._matcher);
    emitter._matcher.match = (topic) => {
      walks++;
      return match(topic);
    };
    for (let i = 0; i < 3; i++) await emitted(emitter, 'site/pdu1/power');
    await emitted(emitter, 'site/pdu2/power');
    expect(a.seen).toEqual(['site/pdu1/power', 'site/pdu1/power', 'site/pdu1/power', 'site/pdu2/power']);
    expect(walks).toBe(2);
  });

  it('delivers to a subscription added, and no longer to one removed, from the next message on', async () => {
    const emitter = mqemitter();
    const wide = recorder();
    const exact = recorder();
    emitter.on('t/+', wide.listener);
    await emitted(emitter, 't/1'); // cached: [wide]
    emitter.on('t/1', exact.listener);
    await emitted(emitter, 't/1');
    expect(wide.seen).toHaveLength(2);
    expect(exact.seen).toHaveLength(1);

    await new Promise<void>((resolve) => emitter.removeListener('t/+', wide.listener, resolve));
    await emitted(emitter, 't/1');
    expect(wide.seen).toHaveLength(2);
    expect(exact.seen).toHaveLength(2);

    emitter.removeAllListeners('t/1');
    await settled();
    await emitted(emitter, 't/1');
    expect(exact.seen).toHaveLength(2);
  });

  it('stays bounded with more distinct topics than it keeps, and still delivers each', async () => {
    const emitter = mqemitter();
    const all = recorder();
    emitter.on('#', all.listener);
    const topics = 10_050;
    for (let i = 0; i < topics; i++) await emitted(emitter, `device/${i}`);
    expect(all.seen).toHaveLength(topics);
    expect(emitter._matches.size).toBeLessThanOrEqual(10_000);
  });
});
