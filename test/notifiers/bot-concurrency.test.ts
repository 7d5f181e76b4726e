/**
 * Updates of different chats are handled concurrently, each chat's in order: a chart that is slow to
 * reach Telegram in one chat (the fake Bot API holds its sendPhoto until released) does not delay
 * another chat's answer, and a second command of the slow chat waits for the first. The queue itself:
 * in order per chat, concurrent across chats, bounded overall, one failure stopping nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ChatQueue } from '../../notifiers/bot/chat-queue.js';
import type { FakeChat } from '../helpers/fake-bot-api.js';
import { waitFor } from '../helpers/mqtt-clients.js';
import { OPS_CHAT, OPS_USER, startBotHarness, TOKEN, type BotHarness } from './bot-harness.js';

let harness: BotHarness | undefined;

afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

const OTHER_CHAT: FakeChat = { id: 1002 };

describe('bot updates of several chats', () => {
  it("answers chat B while chat A's chart is on its way, and chat A in the order it asked", async () => {
    harness = await startBotHarness({ bot: { allow: { chats: [OPS_CHAT.id, OTHER_CHAT.id] } } });
    const h = harness;
    const api = h.api;
    await h.client.publishAsync('busbar/status/web1', 'online', { retain: true, qos: 1 });
    await h.publish('web1', 'cpu', 'cpu,host=web1 usage_user=12.5');
    await h.stored('web1/cpu/usage_user');

    const a = String(OPS_CHAT.id);
    const b = String(OTHER_CHAT.id);
    const slowPhoto = api.hold((call) => call.method === 'sendPhoto' && call.params.chat_id === a);
    const start = api.calls.length;
    const since = (from: number) => api.calls.slice(from);

    api.userMessage(OPS_CHAT, OPS_USER, 'GRAPH web1 user 1h');
    const photo = await api.waitForCall(
      (call) => call.method === 'sendPhoto' && call.params.chat_id === a,
      "chat A's chart",
      15_000,
    );
    // Chart rendered and on its way, not yet taken by Telegram. A asks again, then B asks.
    const afterPhoto = api.calls.length;
    api.userMessage(OPS_CHAT, OPS_USER, 'HELP');
    api.userMessage(OTHER_CHAT, OPS_USER, 'STATUS');
    const status = await api.waitForCall(
      (call) => call.method === 'sendMessage' && call.params.chat_id === b,
      "chat B's STATUS",
      15_000,
    );
    expect(status.params.text).toContain('web1');
    // B is answered although A's photo is still held; A's HELP (queued before B's STATUS) waits for it.
    expect(slowPhoto.held).toBe(1);
    expect(since(afterPhoto).filter((call) => call.params.chat_id === a)).toEqual([]);

    slowPhoto.release();
    const help = await api.waitForCall(
      (call) => call.method === 'sendMessage' && call.params.chat_id === a && api.calls.indexOf(call) > start,
      "chat A's HELP",
      15_000,
    );
    expect(help.params.text).toContain('GRAPH');
    expect(api.calls.indexOf(help)).toBeGreaterThan(api.calls.indexOf(status));
    expect(
      since(start)
        .filter((call) => call.params.chat_id === a)
        .map((call) => call.method),
    ).toEqual(['sendPhoto', 'sendMessage']);
    expect(photo.params.caption).toContain('web1/cpu/usage_user');
    expect(h.busbar.log.find('telegram update failed')).toEqual([]);
    expect(h.busbar.log.text()).not.toContain(TOKEN);
  }, 60_000);
});

/** A promise and its resolve, to finish tasks when a test says so. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe('ChatQueue', () => {
  it('runs each chat in order, chats side by side, at most `limit` pending, past failures', async () => {
    const errors: unknown[] = [];
    const queue = new ChatQueue(3, (error) => errors.push(error));
    const log: string[] = [];
    const first = gate();
    const task =
      (name: string, wait?: Promise<void>, fail = false) =>
      async (): Promise<void> => {
        log.push(`${name} start`);
        await wait;
        if (fail) throw new Error(`${name} failed`);
        log.push(`${name} end`);
      };
    await queue.push('a', task('a1', first.promise));
    await queue.push('a', task('a2', undefined, true));
    await queue.push('b', task('b1'));
    await waitFor(() => log.includes('b1 end'), 'b1');
    // a2 waits for a1; b1 did not.
    expect(log).toEqual(['a1 start', 'b1 start', 'b1 end']);
    expect(queue.pending).toBe(2);

    // a3 is accepted (3 pending); x waits for a slot.
    await queue.push('a', task('a3'));
    let fourthAccepted = false;
    const fourth = queue.push(undefined, task('x')).then(() => (fourthAccepted = true));
    await Promise.resolve();
    expect(fourthAccepted).toBe(false);
    expect(queue.pending).toBe(3);

    first.open();
    await fourth;
    await queue.drain();
    expect(queue.pending).toBe(0);
    const at = (line: string): number => {
      expect(log).toContain(line);
      return log.indexOf(line);
    };
    // a2 ran after a1 and failed; a3 still ran, after it; x only got a slot once a1 had finished.
    expect(at('a2 start')).toBeGreaterThan(at('a1 end'));
    expect(at('a3 start')).toBeGreaterThan(at('a2 start'));
    expect(at('x start')).toBeGreaterThan(at('a1 end'));
    expect(at('a3 end')).toBeGreaterThan(0);
    expect(log).not.toContain('a2 end');
    expect(errors.map((error) => (error as Error).message)).toEqual(['a2 failed']);
  });
});
