/**
 * The Telegram target end to end: a metric published → the rule fires → busbar/alarms/... → the
 * route → sendMessage (HTML, escaped values, to every chat) with "Silence 1 h" and "Graph" buttons,
 * and the buttons work through the bot: a silence on that alarm, its chart as a photo, the tap
 * answered. Grouped notifications (busbar/notify/<group>) get the same buttons. A Bot API that cannot
 * be reached fails over, and the token stays out of the log.
 */
import { PNG } from 'pngjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { AlarmNotification } from '../../alarms/notification.js';
import { parseCallbackData } from '../../notifiers/bot/callback-data.js';
import { THRESHOLD_COLOR } from '../../notifiers/charts/option.js';
import { FakeBotApi } from '../helpers/fake-bot-api.js';
import { waitFor } from '../helpers/mqtt-clients.js';
import { freePort } from '../helpers/ports.js';
import { tempDir } from '../helpers/process.js';
import { buttons, OPS_CHAT, OPS_USER, startBotHarness, tap, TOKEN, type BotHarness } from './bot-harness.js';

let harness: BotHarness | undefined;

afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

const ALARM_ROUTE = {
  name: 'alarms',
  topic: 'busbar/alarms/#',
  title: '{payload.rule} {payload.state}',
  message: '{payload.summary}',
  targets: ['telegram:ops'],
};

function countColour(png: PNG, hex: string, tolerance: number): number {
  const [r, g, b] = [1, 3, 5].map((at) => parseInt(hex.slice(at, at + 2), 16)) as [number, number, number];
  let count = 0;
  for (let i = 0; i < png.data.length; i += 4) {
    if (
      Math.abs(png.data[i]! - r) + Math.abs(png.data[i + 1]! - g) + Math.abs(png.data[i + 2]! - b) <=
      tolerance
    )
      count++;
  }
  return count;
}

describe('alarm messages on Telegram', () => {
  it('a published metric fires a rule and reaches the chat with working buttons', async () => {
    harness = await startBotHarness({
      alarms: {
        rules: [{ kind: 'threshold', name: 'hot', measurement: 'temp', field: 'celsius', above: 50 }],
      },
      routes: [ALARM_ROUTE],
    });
    const silences = new Map<string, Record<string, unknown>>();
    harness.client.on('message', (topic, payload) => {
      if (topic.startsWith('busbar/silences/') && payload.length > 0)
        silences.set(topic, JSON.parse(payload.toString()) as Record<string, unknown>);
    });
    await harness.client.subscribeAsync('busbar/silences/+', { qos: 1 });
    const now = Math.floor(Date.now() / 1000);
    await harness.publish('rack1', 'temp', `temp,room=<lab> celsius=40 ${now - 120}000000000`);
    await harness.publish('rack1', 'temp', `temp,room=<lab> celsius=61.5`);

    const message = await harness.api.waitForCall(
      (call) => call.method === 'sendMessage' && (call.params.text ?? '').startsWith('<b>hot firing</b>'),
      'the alarm message',
    );
    expect(message.params.chat_id).toBe(String(OPS_CHAT.id));
    expect(message.params.parse_mode).toBe('HTML');
    // Values are escaped for HTML; the template's own text is not.
    expect(message.params.text).toBe(
      '<b>hot firing</b>\ntemp celsius on rack1 (room=&lt;lab&gt;) is 61.5, above 50',
    );
    const offered = buttons(message);
    expect(offered.map((button) => button.text)).toEqual(['Silence 1 h', 'Ack', 'Graph']);
    for (const button of offered) {
      expect(Buffer.byteLength(button.callback_data)).toBeLessThanOrEqual(64);
      expect(parseCallbackData(button.callback_data)?.kind).toBe('alarm');
    }

    // Graph: the alarmed series as a PNG, the threshold drawn.
    await harness.stored('rack1/temp/celsius');
    const graphAnswer = await tap(harness, message, 'Graph');
    expect(graphAnswer.params.text).toBe('Chart sent');
    const photo = harness.api.callsOf('sendPhoto').at(-1)!;
    expect(photo.params.caption).toContain('<b>hot</b>: temp celsius on rack1');
    const png = PNG.sync.read(photo.files.photo!.bytes);
    expect([png.width, png.height]).toEqual([800, 400]);
    expect(countColour(png, THRESHOLD_COLOR, 40)).toBeGreaterThan(100);

    // Silence 1 h: a silence on exactly this alarm, from the alarms component.
    const silenceAnswer = await tap(harness, message, 'Silence 1 h');
    expect(silenceAnswer.params.text).toBe('Silenced for 1 h');
    await waitFor(() => silences.size === 1, 'the silence');
    const silence = [...silences.values()][0]!;
    expect(silence.matchers).toEqual({ rule: 'hot', series: 'rack1.temp.celsius{room=<lab>}' });
    expect(Date.parse(String(silence.endsAt)) - Date.parse(String(silence.createdAt))).toBe(3_600_000);
    expect(silence.createdBy).toBe('telegram:ann');

    // Resolved: the message keeps only Graph.
    await harness.publish('rack1', 'temp', 'temp,room=<lab> celsius=30');
    const resolved = await harness.api.waitForCall(
      (call) => (call.params.text ?? '').startsWith('<b>hot resolved</b>'),
      'the resolved message',
    );
    expect(buttons(resolved).map((button) => button.text)).toEqual(['Graph']);
    expect(harness.busbar.log.text()).not.toContain(TOKEN);
  });

  it('a grouped notification gets buttons that silence the group and chart its alarms', async () => {
    harness = await startBotHarness({
      alarms: {
        rules: [
          { kind: 'threshold', name: 'disk_used', measurement: 'disk', field: 'used_percent', above: 90 },
        ],
      },
      routes: [
        {
          name: 'groups',
          topic: 'busbar/notify/#',
          title: 'busbar',
          message: '{payload.summary}',
          targets: ['telegram:ops'],
        },
      ],
    });
    await harness.publish('web1', 'disk', 'disk,host=web1,path=/ used_percent=96');
    const alarm = await harness.alarm('disk_used', 'firing');
    await harness.stored('web1/disk/used_percent');
    const notification: AlarmNotification = {
      id: 'rule=disk_used,source=web1@1',
      group: 'rule=disk_used,source=web1',
      labels: { rule: 'disk_used', source: 'web1' },
      status: 'firing',
      reason: 'new',
      firing: 1,
      resolved: 0,
      alarms: [alarm as unknown as AlarmNotification['alarms'][number]],
      summary: '1 firing: disk used on web1',
      time: new Date().toISOString(),
    };
    // As the alarms component does, in-process: `notify` is one of busbar's own topics.
    await harness.busbar.running.bus.publish(
      'busbar/notify/rule=disk_used,source=web1',
      JSON.stringify(notification),
      { qos: 1 },
    );
    const message = await harness.api.waitForCall(
      (call) => call.params.text === '<b>busbar</b>\n1 firing: disk used on web1',
      'the group message',
    );
    expect(buttons(message).map((button) => button.text)).toEqual(['Silence 1 h', 'Ack', 'Graph']);
    expect(parseCallbackData(buttons(message)[0]!.callback_data)?.kind).toBe('group');

    expect((await tap(harness, message, 'Graph')).params.text).toBe('Chart sent');
    expect(PNG.sync.read(harness.api.callsOf('sendPhoto').at(-1)!.files.photo!.bytes).width).toBe(800);
    expect((await tap(harness, message, 'Silence 1 h')).params.text).toBe('Silenced for 1 h');
    const reply = harness.api.callsOf('sendMessage').at(-1)!;
    expect(reply.params.text).toMatch(
      /^🔕 Silenced <code>rule=disk_used,source=web1<\/code> until .*; 1 firing alarm match\.$/,
    );

    // A button whose alarm nobody knows (made up, or forgotten) is answered, not ignored.
    const update = harness.api.pressButton(OPS_CHAT, OPS_USER, 'bb:g:aAAAAAAAAAAAAAAAA');
    const id = (update.callback_query as { id: string }).id;
    const answer = await harness.api.waitForCall(
      (call) => call.params.callback_query_id === id,
      'the answer',
    );
    expect(answer.params.text).toBe('That alarm is gone (resolved and forgotten).');
  });

  it('sends to every chat of the target; an unreachable Bot API fails over, the token unlogged', async () => {
    const spool = await tempDir('spool');
    const closed = await freePort();
    const api = await FakeBotApi.start({ token: TOKEN });
    try {
      harness = await startBotHarness({
        api,
        routes: [
          {
            name: 'door',
            topic: 'home/+/open',
            message: 'by {payload.who}',
            targets: ['telegram:both', 'telegram:down'],
            failover: ['file:spool'],
          },
        ],
        services: {
          telegram: {
            both: { chats: [OPS_CHAT.id, 1002], apiRoot: api.url },
            down: { chats: [OPS_CHAT.id], apiRoot: `http://127.0.0.1:${closed}` },
          },
          file: { spool: { path: `${spool.path}/spool.jsonl` } },
        },
      });
      // The second chat fails once: the retry sends to it alone, the first chat gets it once.
      api.failSends(1002, 1);
      await harness.client.publishAsync('home/door/open', JSON.stringify({ who: 'Ann & Bob' }), { qos: 1 });
      await waitFor(() => api.callsOf('sendMessage').length === 3, 'the door message in both chats');
      const sent = api.callsOf('sendMessage');
      expect(sent.map((call) => call.params.chat_id)).toEqual([String(OPS_CHAT.id), '1002', '1002']);
      expect(sent.map((call) => call.params.text)).toEqual(
        Array(3).fill('<b>home/door/open</b>\nby Ann &amp; Bob'),
      );
      expect(sent[0]!.params.reply_markup).toBeUndefined();
      await waitFor(() => harness!.busbar.log.find('failing over').length > 0, 'the failover', 15_000);
      const failure = harness.busbar.log.text();
      expect(failure).toContain('ECONNREFUSED');
      expect(failure).not.toContain(TOKEN);
      expect(failure).not.toContain(TOKEN.split(':')[1]);
    } finally {
      await harness?.stop();
      harness = undefined;
      await api.close();
      await spool.remove();
    }
  }, 60_000);
});
