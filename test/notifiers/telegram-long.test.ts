/**
 * A notification longer than Telegram's 4,096 characters (a group of 150 firing alarms, in the
 * default message with its chart links) reaches the chat whole: several messages, each cut at a line
 * break, with the formatting of each part intact.
 * splitMessage's own cases: a tag open across a cut, and the "… and N more lines" note.
 */
import { afterAll, expect, it } from 'vitest';
import { splitMessage } from '../../notifiers/bot/send.js';
import { waitFor } from '../helpers/mqtt-clients.js';
import { OPS_CHAT, startBotHarness, type BotHarness } from './bot-harness.js';

const HOSTS = 150;
let harness: BotHarness | undefined;

afterAll(async () => {
  await harness?.stop();
});

it('a 150-alarm group in the default message reaches the chat whole, cut at line breaks', async () => {
  harness = await startBotHarness({
    history: false,
    externalUrl: 'https://busbar.example.com',
    alarms: {
      rules: [{ kind: 'threshold', name: 'temp_high', measurement: 'sensor', field: 'temp', above: 90 }],
      notify: { groupBy: ['rule'], groupWait: '1s' },
    },
    routes: [
      {
        name: 'groups',
        topic: 'busbar/notify/#',
        // No title or message: the defaults, `{summary}` and `{details}`.
        targets: ['telegram:ops'],
      },
    ],
  });
  const lines = Array.from({ length: HOSTS }, (_, i) => `sensor,host=h${String(i).padStart(3, '0')} temp=95`);
  await harness.publish('sensors', 'sensor', lines.join('\n'));
  const api = harness.api;
  const texts = (): string[] =>
    api
      .callsOf('sendMessage')
      .filter((call) => call.params.chat_id === String(OPS_CHAT.id))
      .map((call) => call.params.text ?? '');
  const hosts = (): Set<string> =>
    new Set(texts().flatMap((text) => [...text.matchAll(/host=(h\d{3})/g)].map((m) => m[1]!)));
  await waitFor(() => hosts().size === HOSTS, `all ${HOSTS} alarms in the chat`, 30_000);
  const sent = texts();
  expect(sent.length).toBeGreaterThan(1);
  for (const text of sent) {
    expect(text.length).toBeLessThanOrEqual(4096);
    expect(text).not.toContain('more lines');
    // Every line whole: the default message's head, labels and chart link lines of each alarm.
    for (const line of text.split('\n').filter((one) => one.includes('host=')))
      expect(line).toMatch(
        /^(<b>\[FIRING\] warning<\/b> sensor temp on sensors \(host=h\d{3}\) is 95, above 90|Labels: host=h\d{3}, source=sensors, measurement=sensor, field=temp)$/,
      );
    for (const line of text.split('\n').filter((one) => one.includes('Chart')))
      expect(line).toMatch(
        /^<a href="https:\/\/busbar\.example\.com\/source\/sensors\?from=\d+&amp;to=now">Chart<\/a>$/,
      );
  }
  // Each alarm once, with its value line.
  const all = sent.join('\n');
  expect(all.match(/^Value 95, threshold 90$/gm)).toHaveLength(HOSTS);
  expect(all.match(/>Chart</g)).toHaveLength(HOSTS);
});

it('closes and reopens a tag across a cut, and ends with "… and N more lines" beyond the parts allowed', () => {
  const html = ['<b>title</b>', '<pre>', ...Array.from({ length: 30 }, (_, i) => `line ${i}`), '</pre>'].join(
    '\n',
  );
  const parts = splitMessage(html, 60);
  expect(parts.length).toBeGreaterThan(2);
  for (const part of parts) {
    expect(part.length).toBeLessThanOrEqual(60);
    expect(part.split('<pre>').length).toBe(part.split('</pre>').length);
  }
  expect(parts[1]!.startsWith('<pre>')).toBe(true);
  expect(parts.join('\n').replace(/<\/?pre>/g, '')).toContain('line 29');
  const cut = splitMessage(html, 60, 2);
  expect(cut).toHaveLength(2);
  const shown = cut.join('\n').match(/line \d+/g)!.length;
  expect(cut[1]).toMatch(new RegExp(`… and ${30 - shown + 1} more lines$`));
});
