/** The ops user asks a bot through the fake Bot API; its first reply to the ops chat after that. */
import type { BotApiCall, FakeBotApi } from '../helpers/fake-bot-api.js';
import { OPS_CHAT, OPS_USER } from '../notifiers/bot-harness.js';

export async function askBot(api: FakeBotApi, text: string): Promise<BotApiCall> {
  const before = api.calls.length;
  api.userMessage(OPS_CHAT, OPS_USER, text);
  return api.waitForCall(
    (call) =>
      api.calls.indexOf(call) >= before &&
      (call.method === 'sendMessage' || call.method === 'sendPhoto') &&
      call.params.chat_id === String(OPS_CHAT.id),
    `a reply to "${text}"`,
    30_000,
  );
}
