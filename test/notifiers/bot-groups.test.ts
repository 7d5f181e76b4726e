/**
 * The buttons of grouped notifications (busbar/notify/<group>) after a restart: the bot keeps what
 * they need (the group's labels, the rule and series of its alarms) in a file beside the paired
 * chats, so "Silence 1 h" and "Graph" still work when busbar has been stopped and started again on
 * the same data directory. A damaged file is warned about and the bot answers as ever.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { AlarmNotification } from '../../alarms/notification.js';
import { parseCallbackData, subjectHash } from '../../notifiers/bot/callback-data.js';
import { groupsPathFor } from '../../notifiers/bot/config.js';
import { NotifiedGroups, REMEMBERED_GROUPS } from '../../notifiers/bot/groups.js';
import { captureLog } from '../helpers/log-capture.js';
import { FakeBotApi } from '../helpers/fake-bot-api.js';
import { waitFor } from '../helpers/mqtt-clients.js';
import { tempDir } from '../helpers/process.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import {
  buttons,
  OPS_CHAT,
  startBotHarness,
  tap,
  TOKEN,
  type BotHarness,
  type HarnessOptions,
} from './bot-harness.js';

let harness: BotHarness | undefined;
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  await harness?.stop();
  harness = undefined;
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('grouped notification buttons across a restart', () => {
  it('silence the group and chart its alarms after busbar restarts; a damaged file is warned about', async () => {
    // Retained alarm states live in Redis, as in a deployment where they survive a restart.
    const redis: RedisServer = await startRedis();
    cleanups.push(() => redis.stop());
    const dir = await tempDir('bot-groups');
    cleanups.push(() => dir.remove());
    const api = await FakeBotApi.start({ token: TOKEN });
    cleanups.push(() => api.close());
    const options: HarnessOptions = {
      api,
      dir,
      broker: { persistence: { type: 'redis', redis: { port: redis.port } } },
      alarms: {
        rules: [
          { kind: 'threshold', name: 'disk_used', measurement: 'disk', field: 'used_percent', above: 90 },
        ],
        notify: { groupBy: ['rule', 'source'], groupWait: '0s' },
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
    };
    harness = await startBotHarness(options);
    const statePath = harness.statePath;
    await harness.publish('web1', 'disk', 'disk,host=web1,path=/ used_percent=96');
    const message = await api.waitForCall(
      (call) =>
        call.method === 'sendMessage' &&
        call.params.reply_markup !== undefined &&
        parseCallbackData(buttons(call)[0]?.callback_data)?.kind === 'group',
      'the group message',
      15_000,
    );
    expect(message.params.text).toContain('disk used');
    expect(buttons(message).map((button) => button.text)).toEqual(['Silence 1 h', 'Ack', 'Graph']);
    await harness.stored('web1/disk/used_percent');
    await harness.stop();
    harness = undefined;

    // What is kept: the labels and which alarms, not the alarms themselves.
    const file = groupsPathFor(statePath);
    expect(file).toBe(`${dir.path}/telegram-groups.json`);
    const kept = JSON.parse(readFileSync(file, 'utf8')) as { groups: unknown[] };
    expect(kept.groups).toEqual([
      {
        group: 'rule=disk_used,source=web1',
        labels: { rule: 'disk_used', source: 'web1' },
        alarms: [{ rule: 'disk_used', series: 'web1.disk.used_percent{host=web1,path=/}' }],
      },
    ]);

    // Started again on the same data: both buttons of the old message work.
    harness = await startBotHarness(options);
    const silences = new Map<string, Record<string, unknown>>();
    harness.client.on('message', (topic, payload) => {
      if (topic.startsWith('busbar/silences/') && payload.length > 0)
        silences.set(topic, JSON.parse(payload.toString()) as Record<string, unknown>);
    });
    await harness.client.subscribeAsync('busbar/silences/+', { qos: 1 });
    // The broker clears busbar's retained topics at start; the alarms component publishes the
    // firing state again from its state file, and the Graph button draws the alarms it knows.
    await harness.alarm('disk_used', 'firing');
    const photos = api.callsOf('sendPhoto').length;
    expect((await tap(harness, message, 'Graph')).params.text).toBe('Chart sent');
    const photo = api.callsOf('sendPhoto')[photos]!;
    expect(photo.params.chat_id).toBe(String(OPS_CHAT.id));
    expect(photo.params.caption).toContain('<b>disk_used</b>');
    expect(PNG.sync.read(photo.files.photo!.bytes).width).toBe(800);

    expect((await tap(harness, message, 'Silence 1 h')).params.text).toBe('Silenced for 1 h');
    await waitFor(() => silences.size === 1, 'the silence on the bus');
    const silence = [...silences.values()][0]!;
    expect(silence.matchers).toEqual({ rule: 'disk_used', source: 'web1' });
    expect(silence.createdBy).toBe('telegram:ann');
    expect(Date.parse(String(silence.endsAt)) - Date.parse(String(silence.createdAt))).toBe(3_600_000);
    await harness.stop();
    harness = undefined;

    // A damaged file: warned about with its path and why, the bot starts with no group and answers.
    writeFileSync(file, '{"groups": [{"group": 1}');
    harness = await startBotHarness(options);
    const warning = harness.busbar.log.find('notified groups file');
    expect(warning).toHaveLength(1);
    expect(warning[0]).toMatchObject({ level: 40, path: file });
    expect(String(warning[0]!.err)).toContain('not JSON');
    expect((await tap(harness, message, 'Graph')).params.text).toBe(
      'That notification is too old to act on; use SILENCE or GRAPH.',
    );
    expect((await harness.ask('ALARMS')).params.text).toContain('disk_used');
    expect(harness.busbar.log.text()).not.toContain(TOKEN);
  }, 90_000);
});

describe('NotifiedGroups', () => {
  const notification = (group: string): AlarmNotification => ({
    id: `${group}@1`,
    group,
    labels: { rule: group },
    status: 'firing',
    reason: 'new',
    firing: 1,
    resolved: 0,
    alarms: [],
    summary: '',
    time: new Date().toISOString(),
  });

  it(`keeps the last ${REMEMBERED_GROUPS} groups, in a file another instance reads`, async () => {
    const dir = await tempDir('bot-groups');
    cleanups.push(() => dir.remove());
    const log = captureLog();
    const file = `${dir.path}/sub/telegram-groups.json`;
    const groups = new NotifiedGroups(file, log.logger);
    await groups.load();
    for (let i = 0; i < REMEMBERED_GROUPS + 5; i++) groups.remember(notification(`g${i}`));
    groups.remember(notification('g3')); // dropped already: back as the newest
    await groups.flush();
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { groups: { group: string }[] };
    expect(saved.groups).toHaveLength(REMEMBERED_GROUPS);
    expect(saved.groups[0]!.group).toBe('g6');
    expect(saved.groups.at(-1)!.group).toBe('g3');

    const again = new NotifiedGroups(file, log.logger);
    await again.load();
    expect(again.size).toBe(REMEMBERED_GROUPS);
    expect(again.byButtonHash(subjectHash({ kind: 'group', key: 'g5' }))).toBeUndefined();
    expect(again.byButtonHash(subjectHash({ kind: 'group', key: 'g6' }))?.labels).toEqual({ rule: 'g6' });
    expect(log.find('unreadable')).toHaveLength(0);

    // Not ours: warned about, nothing remembered, and the next save replaces it.
    writeFileSync(file, JSON.stringify({ chats: [] }));
    const damaged = new NotifiedGroups(file, log.logger);
    await damaged.load();
    expect(damaged.size).toBe(0);
    expect(log.find('unreadable')[0]).toMatchObject({ path: file, level: 40 });
    damaged.remember(notification('new'));
    await damaged.flush();
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
      groups: [{ group: 'new', labels: { rule: 'new' }, alarms: [] }],
    });
  });
});
