/**
 * Routes with no title and no message, on channels other than email: Telegram (HTML, against a fake
 * Bot API), Mattermost (Markdown) and ntfy (text) presets (each against a local receiver checking the
 * request as the service documents it). Each gets the summary as its title and every alarm once,
 * with its severity and links in that channel's formatting.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { incomingWebhookContract, ntfyContract } from './http-contracts.js';
import { jsonBody, startReceiver, type Receiver } from './http-receiver.js';
import { fireAndResolve, SUMMARY, startPresetBusbar, type PresetBusbar } from './preset-harness.js';
import { startBotHarness, type BotHarness } from './bot-harness.js';

let harness: PresetBusbar | undefined;
let receiver: Receiver | undefined;
let bot: BotHarness | undefined;

afterEach(async () => {
  await harness?.stop();
  await receiver?.close();
  await bot?.stop();
  harness = receiver = bot = undefined;
});

const EXTERNAL_URL = 'https://busbar.example:8080';
const RUNBOOK = 'https://wiki.example.org/runbooks/hot';

/** The route under test: everything but its title and message. */
function defaultRoute(targets: string[]): { name: string; topic: string; targets: string[] } {
  return { name: 'alarms', topic: 'busbar/notify/#', targets };
}

function occurrences(text: string, part: string): number {
  return text.split(part).length - 1;
}

describe('default messages per channel', () => {
  it('Telegram: the summary in bold, the alarm with severity, chart and runbook links in HTML', async () => {
    bot = await startBotHarness({
      externalUrl: EXTERNAL_URL,
      alarms: {
        rules: [
          {
            kind: 'threshold',
            name: 'hot',
            measurement: 'temp',
            field: 'celsius',
            above: 50,
            severity: 'critical',
            runbook: RUNBOOK,
          },
        ],
      },
      routes: [{ ...defaultRoute(['telegram:ops']), topic: 'busbar/alarms/#' }],
    });
    await bot.publish('rack1', 'temp', 'temp,room=<lab> celsius=61.5');
    const summary = 'temp celsius on rack1 (room=&lt;lab&gt;) is 61.5, above 50';
    const message = await bot.api.waitForCall(
      (call) => call.method === 'sendMessage' && (call.params.text ?? '').startsWith(`<b>${summary}</b>`),
      'the alarm message',
    );
    const text = message.params.text ?? '';
    expect(message.params.parse_mode).toBe('HTML');
    expect(text).toContain(`\n<b>[FIRING] critical</b> ${summary}\nValue 61.5, threshold 50\nSince `);
    expect(text).toMatch(
      /<a href="https:\/\/busbar\.example:8080\/source\/rack1\?from=\d+&amp;to=now">Chart<\/a>/,
    );
    expect(text).toContain(`<a href="${RUNBOOK}">Runbook</a>`);
    // The title and the alarm's line: the summary twice, never the topic.
    expect(occurrences(text, summary)).toBe(2);
    expect(text).not.toContain('busbar/alarms');
  });

  it('Mattermost: the summary as heading, the alarm once in Markdown with its chart link', async () => {
    const path = '/hooks/xi5fmxc9fjbbbcjt8sug1rn1oa';
    receiver = await startReceiver(incomingWebhookContract(path));
    harness = await startPresetBusbar({ mattermost: { ops: { url: `${receiver.url}${path}` } } }, [], {
      externalUrl: EXTERNAL_URL,
      routes: [defaultRoute(['mattermost:ops'])],
    });
    await fireAndResolve(harness, receiver);
    expect(receiver.refused).toEqual([]);
    const [firing, resolved] = receiver.accepted.map(jsonBody) as { text: string }[];
    const escaped = SUMMARY.replace(/[\\`*_~[\]()<>|#]/g, (c) => `\\${c}`);
    expect(firing!.text.split('\n').slice(0, 3)).toEqual([
      '#### 1 firing: disk used on web1',
      `**\\[FIRING\\] critical** ${escaped}`,
      'Value 96, threshold 90',
    ]);
    expect(occurrences(firing!.text, escaped)).toBe(1);
    expect(firing!.text).toMatch(
      /\[Chart\]\(https:\/\/busbar\.example:8080\/source\/web1\?from=\d+&to=now\)$/m,
    );
    expect(resolved!.text).toMatch(/^Started .* UTC, resolved after \d+ s$/m);
  });

  it('ntfy: title is the summary, the message says severity, labels and the chart link as text', async () => {
    const token = 'tk_7eevizlsiwf9yi4uxsrs83r4352o';
    receiver = await startReceiver(ntfyContract('busbar-ops', token));
    harness = await startPresetBusbar(
      { ntfy: { phone: { url: receiver.url, topic: 'busbar-ops', token } } },
      [],
      {
        externalUrl: EXTERNAL_URL,
        routes: [defaultRoute(['ntfy:phone'])],
      },
    );
    await fireAndResolve(harness, receiver);
    expect(receiver.refused).toEqual([]);
    const [firing] = receiver.accepted.map(jsonBody) as { title: string; message: string }[];
    expect(firing!.title).toBe('1 firing: disk used on web1');
    expect(firing!.message).toContain(`[FIRING] critical ${SUMMARY}\nValue 96, threshold 90\nSince `);
    expect(firing!.message).toContain(
      'Labels: source=web1, measurement=disk, field=used_percent, path=/data',
    );
    expect(firing!.message).toMatch(
      /^Chart: https:\/\/busbar\.example:8080\/source\/web1\?from=\d+&to=now$/m,
    );
    expect(occurrences(firing!.message, SUMMARY)).toBe(1);
  });

  it('http: {summary} and {details} in a body template, with the chart link', async () => {
    receiver = await startReceiver(() => ({ status: 200, body: 'ok' }));
    harness = await startPresetBusbar(
      { http: { tracker: { url: receiver.url, body: { subject: '{summary}', text: '{details}' } } } },
      [],
      { externalUrl: EXTERNAL_URL, routes: [defaultRoute(['http:tracker'])] },
    );
    await fireAndResolve(harness, receiver);
    const [firing] = receiver.accepted.map(jsonBody) as { subject: string; text: string }[];
    expect(firing!.subject).toBe('1 firing: disk used on web1');
    expect(firing!.text).toContain(`[FIRING] critical ${SUMMARY}\nValue 96, threshold 90`);
    expect(firing!.text).toMatch(/^Chart: https:\/\/busbar\.example:8080\/source\/web1\?from=\d+&to=now$/m);
  });
});
