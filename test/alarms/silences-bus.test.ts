/**
 * Silences and grouped notifications through a real in-process busbar: silences asked for over the
 * bus (as the bot and the web do) and with the `busbar silence` CLI over TCP, notifications on
 * <base>/notify/<group>, and silences kept across a restart.
 */
import { writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { addSilence, listSilences, removeSilence, SilenceRequestError } from '../../alarms/silence-client.js';
import type { AlarmNotification } from '../../alarms/notification.js';
import type { ConfigInput } from '../../config/schema.js';
import { createTopics } from '../../core/topics.js';
import { startTestBusbar, type TestBusbar } from '../helpers/busbar.js';
import { runCli } from '../helpers/cli.js';
import { Clients, record, subscribe, waitFor, type ReceivedMessage } from '../helpers/mqtt-clients.js';
import { tempDir } from '../helpers/process.js';

const clients = new Clients();
const topics = createTopics();
let busbar: TestBusbar | undefined;

afterEach(async () => {
  await clients.closeAll();
  await busbar?.stop();
  busbar = undefined;
});

function alarmsConfig(statePath?: string): ConfigInput {
  return {
    agent: { enabled: false },
    web: { enabled: false },
    alarms: {
      ...(statePath !== undefined && { statePath }),
      defaults: false,
      evaluateInterval: '50ms',
      notify: { groupBy: ['...'], groupWait: '0s', groupInterval: '100ms' },
      rules: [{ kind: 'threshold', name: 'hot', measurement: 'temp', field: 'temp', above: 50 }],
    },
  };
}

/**
 * Stops busbar before its state file's directory goes: one still saving its state into it made the
 * removal fail (ENOTEMPTY).
 */
async function stopThenRemove(dir: { remove(): Promise<void> }): Promise<void> {
  await busbar?.stop();
  busbar = undefined;
  await dir.remove();
}

/** Starts busbar (it returns once the alarms component is listening) and a client recording `filters`. */
async function start(config: ConfigInput, filters: string[]): Promise<ReceivedMessage[]> {
  busbar = await startTestBusbar(config);
  const client = await clients.connect(busbar.url);
  const messages = record(client);
  for (const filter of [...filters, 'busbar/stats/alarms']) await subscribe(client, filter, 1);
  return messages;
}

function notifications(messages: readonly ReceivedMessage[]): AlarmNotification[] {
  return messages
    .filter((m) => m.topic.startsWith('busbar/notify/'))
    .map((m) => JSON.parse(m.payload) as AlarmNotification);
}

const sourcesNotified = (messages: readonly ReceivedMessage[]): string[] =>
  notifications(messages).flatMap((n) => n.alarms.map((a) => `${a.labels.source}:${a.state}`));

describe('silences over the bus', () => {
  it('mutes notifications while the alarm state stays published; removed, the alarm is told', async () => {
    const messages = await start(alarmsConfig(), ['busbar/notify/#', 'busbar/alarms/#', 'busbar/silences/+']);
    const bus = busbar!.running.bus;
    const silence = await addSilence(bus, topics, {
      matchers: { source: 'web1' },
      duration: '1h',
      createdBy: 'ops',
      comment: 'disk swap',
    });
    expect(silence).toMatchObject({ matchers: { source: 'web1' }, createdBy: 'ops', comment: 'disk swap' });
    expect(Date.parse(silence.endsAt) - Date.parse(silence.createdAt)).toBe(3_600_000);
    await waitFor(() => messages.some((m) => m.topic === topics.silence(silence.id)), 'the retained silence');

    const client = await clients.connect(busbar!.url);
    await client.publishAsync('busbar/metrics/web1/temp', 'temp,host=web1 temp=61');
    await client.publishAsync('busbar/metrics/web2/temp', 'temp,host=web2 temp=62');
    await waitFor(() => sourcesNotified(messages).includes('web2:firing'), 'web2 notified');
    // web1's alarm state is published (silences mute the telling, not the state) ...
    expect(messages.some((m) => m.topic === 'busbar/alarms/hot/web1.temp.temp{host=web1}')).toBe(true);
    // ... but it is not told. Without groupWait each change is told as it happens, in order: web1's
    // would have come before web2's.
    expect(sourcesNotified(messages)).toEqual(['web2:firing']);
    expect((await listSilences(bus, topics)).map((s) => s.id)).toEqual([silence.id]);

    await removeSilence(bus, topics, silence.id);
    await waitFor(() => sourcesNotified(messages).includes('web1:firing'), 'web1 told once unsilenced');
    expect(await listSilences(bus, topics)).toEqual([]);
    const stats = JSON.parse(messages.filter((m) => m.topic === 'busbar/stats/alarms').at(-1)!.payload) as {
      silenced: number;
      notifications: number;
    };
    expect(stats.silenced).toBeGreaterThanOrEqual(1);
    expect(stats.notifications).toBe(2);
  });

  it('refuses a bad silence before asking, and says so when nobody answers', async () => {
    busbar = await startTestBusbar({
      agent: { enabled: false },
      web: { enabled: false },
      alarms: { enabled: false },
    });
    const bus = busbar.running.bus;
    await expect(addSilence(bus, topics, { matchers: {}, duration: '1h' })).rejects.toThrow(/matchers/);
    await expect(addSilence(bus, topics, { matchers: { rule: 'x' }, duration: 'later' })).rejects.toThrow(
      SilenceRequestError,
    );
    await expect(addSilence(bus, topics, { matchers: { rule: 'x' }, duration: '1h' }, 300)).rejects.toThrow(
      /no answer on busbar\/silences\/.* within 300 ms: is the alarms component running/,
    );
  });

  it('keeps silences across a restart and clears them when they end', async () => {
    const dir = await tempDir('silences');
    try {
      const statePath = `${dir.path}/alarms.json`;
      await start(alarmsConfig(statePath), []);
      const lasting = await addSilence(busbar!.running.bus, topics, {
        matchers: { rule: 'hot' },
        duration: '1h',
      });
      const brief = await addSilence(busbar!.running.bus, topics, {
        matchers: { rule: 'x' },
        duration: '1s',
      });
      await busbar!.stop();
      busbar = undefined;

      // A new broker (no retained messages) after the brief one has ended: the lasting one comes back.
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, Date.parse(brief.endsAt) - Date.now())));
      const messages = await start(alarmsConfig(statePath), ['busbar/silences/+']);
      await waitFor(
        () => messages.some((m) => m.topic === topics.silence(lasting.id)),
        'the lasting silence',
      );
      expect(messages.some((m) => m.topic === topics.silence(brief.id) && m.payload !== '')).toBe(false);
      expect((await listSilences(busbar!.running.bus, topics)).map((s) => s.id)).toEqual([lasting.id]);
    } finally {
      await stopThenRemove(dir);
    }
  });
});

describe('grouped notifications', () => {
  it('groups alarms of one rule into one message, and a restart does not tell them again', async () => {
    const dir = await tempDir('notify');
    try {
      const statePath = `${dir.path}/alarms.json`;
      const config = (): ConfigInput => {
        const base = alarmsConfig(statePath);
        return {
          ...base,
          alarms: {
            ...base.alarms,
            notify: { groupBy: ['rule'], groupWait: '300ms', groupInterval: '100ms' },
          },
        };
      };
      let messages = await start(config(), ['busbar/notify/#']);
      let client = await clients.connect(busbar!.url);
      for (const host of ['web1', 'web2', 'web3']) {
        await client.publishAsync(`busbar/metrics/${host}/temp`, `temp,host=${host} temp=70`);
      }
      await waitFor(() => notifications(messages).length > 0, 'the group notification');
      const [first] = notifications(messages);
      expect(first).toMatchObject({
        group: 'rule=hot',
        labels: { rule: 'hot' },
        status: 'firing',
        reason: 'new',
      });
      expect(first!.alarms.map((a) => a.labels.source).sort()).toEqual(['web1', 'web2', 'web3']);
      expect(first!.summary).toBe('3 firing: hot on web1, web2, web3');
      await busbar!.stop();
      busbar = undefined;

      messages = await start(config(), ['busbar/notify/#', 'busbar/alarms/#']);
      client = await clients.connect(busbar!.url);
      // Still firing after the restart: a new point changes nothing, and nothing is told again ...
      await client.publishAsync('busbar/metrics/web1/temp', 'temp,host=web1 temp=71');
      // ... until one resolves: the group's next message says so (and lists the two still firing).
      await client.publishAsync('busbar/metrics/web2/temp', 'temp,host=web2 temp=20');
      await waitFor(() => notifications(messages).length > 0, 'the resolution');
      expect(notifications(messages)).toHaveLength(1);
      const [update] = notifications(messages);
      expect(update).toMatchObject({ reason: 'update', firing: 2, resolved: 1, status: 'firing' });
    } finally {
      await stopThenRemove(dir);
    }
  });
});

describe('busbar silence', () => {
  it('adds, lists and removes silences over MQTT', async () => {
    // <base>/control/... is busbar's own: the command's user needs a rule naming it (broker/acl.ts).
    await start(
      {
        ...alarmsConfig(),
        broker: {
          acl: [{ user: '$anonymous', topic: 'busbar/control/silences', access: 'publish' }, { topic: '#' }],
        },
      },
      [],
    );
    const broker = ['--broker', busbar!.url];
    const added = await runCli([
      'silence',
      'add',
      'web1',
      'rule=hot',
      '--for',
      '2h',
      '--comment',
      'swap',
      ...broker,
    ]);
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    const id = /silenced: (\S+)/.exec(added.stdout)?.[1];
    expect(id).toBeDefined();
    expect(added.stdout).toContain('alarm=web1 rule=hot');
    expect(added.stdout).toContain('— swap');

    const listed = await runCli(['silence', 'list', ...broker]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(id);

    const removed = await runCli(['silence', 'remove', id!, ...broker]);
    expect(removed).toMatchObject({ code: 0, stdout: `removed: ${id}\n` });
    expect((await runCli(['silence', 'list', ...broker])).stdout).toBe('no active silences\n');
  });

  it("reaches the config's own broker where it listens when neither --broker nor bus.remote says", async () => {
    await start(
      {
        ...alarmsConfig(),
        broker: {
          acl: [{ user: '$anonymous', topic: 'busbar/control/silences', access: 'publish' }, { topic: '#' }],
        },
      },
      [],
    );
    const dir = await tempDir('silence-own-broker');
    try {
      // The config of the busbar that runs: its listener on a port that is not 1883.
      const port = Number(new URL(busbar!.url).port);
      const file = `${dir.path}/busbar.yaml`;
      await writeFile(
        file,
        `broker:\n  listeners:\n    - type: tcp\n      host: 0.0.0.0\n      port: ${port}\n`,
      );
      const listed = await runCli(['silence', 'list', '-c', file]);
      expect(listed).toMatchObject({ code: 0, stdout: 'no active silences\n' });
    } finally {
      await dir.remove();
    }
  });

  it('explains bad arguments and an unreachable broker', async () => {
    const noDuration = await runCli(['silence', 'add', 'web1', '--broker', 'mqtt://127.0.0.1:1']);
    expect(noDuration.code).toBe(1);
    expect(noDuration.stderr).toMatch(/cannot connect to mqtt:\/\/127\.0\.0\.1:1/);
    await start(alarmsConfig(), []);
    const both = await runCli(['silence', 'add', 'web1', '--broker', busbar!.url]);
    expect(both).toMatchObject({
      code: 1,
      stderr: 'give --for <duration> (e.g. 2h) or --until <ISO time>\n',
    });
    const badMatcher = await runCli(['silence', 'add', 'rule=', '--for', '1h', '--broker', busbar!.url]);
    expect(badMatcher).toMatchObject({ code: 1, stderr: '"rule=" is not label=pattern\n' });
  });
});
