/**
 * When the Bot API (or a proxy before it) answers sendPhoto with a plain HTTP 500, GRAPH says so,
 * naming the status and the server's text, and sends the chart as text: a sparkline with min, avg,
 * max and last per series, and a link to the source's page on the web console.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { OPS_CHAT, startBotHarness, TOKEN, type BotHarness } from './bot-harness.js';

let harness: BotHarness;
const NOW_S = Math.floor(Date.now() / 1000);

beforeAll(async () => {
  harness = await startBotHarness({ externalUrl: 'https://busbar.example.com/' });
  // An hour of web1's temperature, 10 to 69 then 30.
  const lines = Array.from(
    { length: 61 },
    (_, i) => `sensor,host=web1 temp=${i < 60 ? 10 + i : 30} ${NOW_S - (60 - i) * 60}000000000`,
  );
  await harness.publish('web1', 'sensor', lines.join('\n'));
  await harness.stored('web1/sensor/temp');
}, 60_000);

afterAll(async () => {
  await harness?.stop();
});

it('falls back to a text chart naming the status and the text of a plain HTTP 500', async () => {
  // Every attempt the bot makes (the client retries a 5xx) is refused.
  harness.api.failPlain('sendPhoto', 10, 500, 'upstream photo service down');
  const before = harness.api.calls.length;
  harness.api.userMessage(OPS_CHAT, { id: 501, username: 'ann' }, 'GRAPH web1 temp 2h');
  const reply = await harness.api.waitForCall(
    (call) =>
      harness.api.calls.indexOf(call) >= before &&
      call.method === 'sendMessage' &&
      call.params.chat_id === String(OPS_CHAT.id),
    'the text fallback',
    20_000,
  );
  const text = reply.params.text ?? '';
  expect(harness.api.callsOf('sendPhoto').length).toBeGreaterThan(0);
  expect(text).not.toContain('undefined');
  expect(text).toContain('HTTP 500');
  expect(text).toContain('upstream photo service down');
  expect(text).toMatch(/<code>[▁▂▃▄▅▆▇█]{10,}<\/code>/);
  expect(text).toContain('min 10 · avg 39.');
  expect(text).toContain('max 69 · last 30');
  expect(text).toContain('href="https://busbar.example.com/source/web1"');
  expect(text).not.toContain(TOKEN);
});
