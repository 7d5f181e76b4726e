/**
 * Chats paired with `/start CODE` receive alarm notifications from a Telegram target with `paired`,
 * choose what they receive (RECEIVE source=...), can be muted (MUTE) and end it all with STOP.
 * Negative checks wait for a later notification to reach the configured chat first: a target sends
 * one notification to all its chats before the next.
 */
import { afterAll, expect, it } from 'vitest';
import type { FakeChat } from '../helpers/fake-bot-api.js';
import { OPS_CHAT, startBotHarness, type BotHarness } from './bot-harness.js';

let harness: BotHarness | undefined;
const PAIRED: FakeChat = { id: 7777 };
const PAIRED_USER = { id: 77, username: 'pat' };

afterAll(async () => {
  await harness?.stop();
});

it('a paired chat receives notifications as it chose, and STOP ends them', async () => {
  harness = await startBotHarness({
    history: false,
    alarms: {
      rules: [{ kind: 'threshold', name: 'temp_high', measurement: 'sensor', field: 'temp', above: 90 }],
    },
    routes: [
      { name: 'alarms', topic: 'busbar/alarms/#', message: '{payload.summary}', targets: ['telegram:ops'] },
    ],
    services: { telegram: { ops: { chats: [OPS_CHAT.id], paired: true } } },
  });
  const h = harness;
  const api = h.api;
  const code = /pairing code ([A-Z0-9]+):/.exec(
    String(h.busbar.log.find('telegram pairing code')[0]!.msg),
  )![1]!;

  /** The paired chat writes `text`; resolves once the bot's answer holds `expected`. */
  const says = async (text: string, expected: string): Promise<void> => {
    const before = api.calls.length;
    api.userMessage(PAIRED, PAIRED_USER, text);
    await api.waitForCall(
      (call) =>
        api.calls.indexOf(call) >= before &&
        call.params.chat_id === String(PAIRED.id) &&
        (call.params.text ?? '').includes(expected),
      `"${expected}" in answer to "${text}"`,
      15_000,
    );
  };
  const sentTo = (chat: FakeChat, host: string): boolean =>
    api
      .callsOf('sendMessage')
      .some((call) => call.params.chat_id === String(chat.id) && (call.params.text ?? '').includes(host));
  const fire = async (host: string, chat: FakeChat): Promise<void> => {
    await h.publish(host, 'sensor', `sensor,host=${host} temp=95`);
    await api.waitForCall(
      (call) => call.params.chat_id === String(chat.id) && (call.params.text ?? '').includes(host),
      `${host}'s alarm in chat ${chat.id}`,
      15_000,
    );
  };

  await says(`/start ${code}`, 'Paired');

  await fire('box1z', PAIRED);
  expect(sentTo(OPS_CHAT, 'box1z')).toBe(true);

  await says('RECEIVE source=box3z', 'source box3z');
  await fire('box2z', OPS_CHAT);
  await fire('box3z', PAIRED);
  expect(sentTo(PAIRED, 'box2z')).toBe(false);

  await says('MUTE 2h', 'No notifications');
  await says('RECEIVE all', 'every alarm');
  await fire('box4z', OPS_CHAT);
  await says('MUTE off', 'on again');
  await fire('box5z', PAIRED);
  expect(sentTo(PAIRED, 'box4z')).toBe(false);

  await says('/stop', 'Unpaired');
  await fire('box6z', OPS_CHAT);
  await fire('box7z', OPS_CHAT);
  expect(sentTo(PAIRED, 'box6z')).toBe(false);
  expect(sentTo(PAIRED, 'box7z')).toBe(false);
  await says('STATUS', 'may not use busbar');
});
