/**
 * When the Bot API (or a proxy before it) answers sendPhoto with a plain HTTP 500, GRAPH says so,
 * naming the status and the server's text, and sends the chart as text: a sparkline with min, avg,
 * max and last per series, and a link to the source's page on the web console. The Graph button under
 * an alarm message falls back the same way.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buttons, OPS_CHAT, startBotHarness, tap, TOKEN, type BotHarness } from './bot-harness.js';

let harness: BotHarness;
const NOW_S = Math.floor(Date.now() / 1000);

beforeAll(async () => {
  harness = await startBotHarness({
    externalUrl: 'https://busbar.example.com/',
    // Nothing of the hour below fires: only the button's test makes an alarm message.
    alarms: { rules: [{ kind: 'threshold', name: 'hot', measurement: 'sensor', field: 'temp', above: 90 }] },
    routes: [
      {
        name: 'alarms',
        topic: 'busbar/alarms/#',
        filter: { fields: { state: 'firing' } },
        targets: ['telegram:ops'],
      },
    ],
  });
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

/**
 * Makes every sendPhoto of the bot fail with a plain 500, does `ask`, and returns the text chart sent
 * instead, once it says what failed and shows a sparkline.
 */
async function textFallback(ask: () => Promise<void>): Promise<string> {
  // Every attempt the bot makes (the client retries a 5xx) is refused.
  harness.api.failPlain('sendPhoto', 10, 500, 'upstream photo service down');
  const before = harness.api.calls.length;
  await ask();
  const reply = await harness.api.waitForCall(
    (call) =>
      harness.api.calls.indexOf(call) >= before &&
      call.method === 'sendMessage' &&
      call.params.chat_id === String(OPS_CHAT.id) &&
      (call.params.text ?? '').includes('<code>'),
    'the text fallback',
    20_000,
  );
  expect(harness.api.callsOf('sendPhoto').length).toBeGreaterThan(0);
  const text = reply.params.text ?? '';
  expect(text).not.toContain('undefined');
  expect(text).toContain('HTTP 500');
  expect(text).toContain('upstream photo service down');
  expect(text).toMatch(/<code>[▁▂▃▄▅▆▇█]{10,}<\/code>/);
  expect(text).not.toContain(TOKEN);
  return text;
}

it('falls back to a text chart naming the status and the text of a plain HTTP 500', async () => {
  const text = await textFallback(() => {
    harness.api.userMessage(OPS_CHAT, { id: 501, username: 'ann' }, 'GRAPH web1 temp 2h');
    return Promise.resolve();
  });
  expect(text).toContain('min 10 · avg 39.');
  expect(text).toContain('max 69 · last 30');
  expect(text).toContain('href="https://busbar.example.com/source/web1"');
});

it('the Graph button under an alarm message falls back to the text chart too', async () => {
  await harness.publish('web1', 'sensor', 'sensor,host=web1 temp=95');
  const message = await harness.api.waitForCall(
    (call) => call.method === 'sendMessage' && buttons(call).some((button) => button.text === 'Graph'),
    'the alarm message with its buttons',
    20_000,
  );
  await harness.stored('web1/sensor/temp', NOW_S * 1000); // the 95, newer than the hour above
  const text = await textFallback(async () => {
    await tap(harness, message, 'Graph');
  });
  expect(text).toContain('last 95');
  expect(text).toContain('href="https://busbar.example.com/source/web1');
});
