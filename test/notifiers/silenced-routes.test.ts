/**
 * Silences apply to routes on the raw alarm state topics too (`busbar/alarms/#`, as an audit-log
 * route takes them), not only to the grouped notifications: a silenced alarm is not sent, nor its
 * resolution; a route with `sendSilenced: true` (an audit log) still gets every change. Through a real
 * in-process busbar, with silences asked for over the bus as the CLI, bot and web do.
 */
import { existsSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { AlarmMessage } from '../../alarms/alarm.js';
import { addSilence, removeSilence } from '../../alarms/silence-client.js';
import type { Silence } from '../../alarms/silence.js';
import { createTopics } from '../../core/topics.js';
import { SilencedAlarms } from '../../notifiers/router/silenced-alarms.js';
import { startTestBusbar, type TestBusbar } from '../helpers/busbar.js';
import type { RouterStats } from '../../notifiers/router/router.js';
import { Clients, record, subscribe, waitFor, type ReceivedMessage } from '../helpers/mqtt-clients.js';
import { tempDir } from '../helpers/process.js';

const MESSAGE = '{payload.labels.source}:{payload.state}';
const clients = new Clients();
const topics = createTopics();
let busbar: TestBusbar | undefined;
let dir: Awaited<ReturnType<typeof tempDir>> | undefined;

afterEach(async () => {
  await clients.closeAll();
  await busbar?.stop();
  await dir?.remove();
  busbar = undefined;
  dir = undefined;
});

/** The message of each line a file target wrote (`<source>:<state>`, see MESSAGE), in order. */
function told(path: string): string[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => (JSON.parse(line) as { message: string }).message);
}

/** The latest router counters on busbar/stats/notifiers (published every 2 s when they change). */
function routerStats(seen: readonly ReceivedMessage[]): RouterStats | undefined {
  const latest = seen.filter((m) => m.topic === 'busbar/stats/notifiers').at(-1);
  return latest && (JSON.parse(latest.payload) as RouterStats);
}

describe('silences on routes of the alarm state topics', () => {
  it('leave out a silenced alarm and its resolution; an audit route still gets them', async () => {
    dir = await tempDir('silenced-routes');
    const raw = `${dir.path}/raw.jsonl`;
    const audit = `${dir.path}/audit.jsonl`;
    busbar = await startTestBusbar({
      agent: { enabled: false },
      web: { enabled: false },
      alarms: {
        defaults: false,
        evaluateInterval: '50ms',
        rules: [{ kind: 'threshold', name: 'hot', measurement: 'temp', field: 'temp', above: 50 }],
      },
      notifiers: {
        enabled: true,
        services: { file: { raw: { path: raw }, audit: { path: audit } } },
        routes: [
          { name: 'raw', topic: 'busbar/alarms/#', message: MESSAGE, targets: ['file:raw'] },
          {
            name: 'audit',
            topic: 'busbar/alarms/#',
            message: MESSAGE,
            sendSilenced: true,
            targets: ['file:audit'],
          },
        ],
      },
    });
    const bus = busbar.running.bus;
    const watcher = await clients.connect(busbar.url);
    const seen = record(watcher);
    await subscribe(watcher, 'busbar/#', 1);
    const silence = await addSilence(bus, topics, { matchers: { source: 'web1' }, duration: '1h' });
    await waitFor(() => routerStats(seen)?.silences === 1, 'the notifiers know the silence');

    const device = await clients.connect(busbar.url);
    await device.publishAsync('busbar/metrics/web1/temp', 'temp,host=web1 temp=61');
    await device.publishAsync('busbar/metrics/web2/temp', 'temp,host=web2 temp=62');
    await device.publishAsync('busbar/metrics/web1/temp', 'temp,host=web1 temp=20');
    await waitFor(() => told(audit).length === 3, 'the audit route told every change');
    expect(told(audit)).toEqual(['web1:firing', 'web2:firing', 'web1:resolved']);
    await waitFor(() => told(raw).length >= 1, 'the raw route');
    expect(told(raw)).toEqual(['web2:firing']);

    // Removed, the silence mutes nothing: web1 firing again is sent.
    await removeSilence(bus, topics, silence.id);
    await waitFor(() => routerStats(seen)?.silences === 0, 'the notifiers know it is gone');
    await device.publishAsync('busbar/metrics/web1/temp', 'temp,host=web1 temp=63');
    await waitFor(() => told(raw).length === 2, 'web1 on the raw route');
    expect(told(raw)).toEqual(['web2:firing', 'web1:firing']);

    // Counted on busbar/stats/notifiers: web1's firing and its resolution.
    await waitFor(() => routerStats(seen)?.silenced === 2, 'the silenced count');
  });
});

describe('SilencedAlarms', () => {
  const now = Date.parse('2026-11-25T12:00:00Z');
  const silence = (id: string, matchers: Record<string, string>, endsAt = now + 60_000): Silence => ({
    id,
    matchers,
    createdAt: new Date(now - 1_000).toISOString(),
    endsAt: new Date(endsAt).toISOString(),
    createdBy: '',
    comment: '',
  });
  const alarm = (source: string, state: AlarmMessage['state']): AlarmMessage => ({
    rule: 'disk',
    series: `${source}.disk.used`,
    state,
    severity: 'warning',
    value: 95,
    threshold: 90,
    baseline: null,
    since: new Date(now).toISOString(),
    firedAt: null,
    labels: { source, rack: 'r1' },
    summary: `disk on ${source}`,
  });

  it('mutes pending and firing alarms that an active silence matches, by any label or `alarm`', () => {
    const silences = new SilencedAlarms();
    silences.set('a', silence('a', { rack: 'r*', source: 'web1' }));
    silences.set('b', silence('b', { alarm: 'db*' }));
    expect(silences.mutes(alarm('web1', 'pending'), now)).toBe(true);
    expect(silences.mutes(alarm('web1', 'firing'), now)).toBe(true);
    expect(silences.mutes(alarm('db7', 'firing'), now)).toBe(true);
    expect(silences.mutes(alarm('web2', 'firing'), now)).toBe(false);
  });

  it('mutes nothing once a silence has ended or was removed', () => {
    const silences = new SilencedAlarms();
    silences.set('ended', silence('ended', { source: 'web1' }, now - 1));
    silences.set('removed', silence('removed', { source: 'web1' }));
    silences.set('removed', undefined);
    expect(silences.size).toBe(1);
    expect(silences.mutes(alarm('web1', 'firing'), now)).toBe(false);
  });

  it('mutes the resolution of a muted firing, once; a firing told unsilenced has its resolution told', () => {
    const silences = new SilencedAlarms();
    silences.set('a', silence('a', { source: 'web1' }));
    expect(silences.mutes(alarm('web1', 'firing'), now)).toBe(true);
    silences.set('a', undefined);
    expect(silences.mutes(alarm('web1', 'resolved'), now)).toBe(true);
    expect(silences.mutes(alarm('web1', 'resolved'), now)).toBe(false);
    expect(silences.mutes(alarm('web1', 'firing'), now)).toBe(false);
    expect(silences.mutes(alarm('web1', 'resolved'), now)).toBe(false);
  });
});
