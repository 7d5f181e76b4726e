/**
 * Alarm mails with charts, end to end: a real in-process busbar (history store, alarm rules,
 * notifiers) mails a real SMTP server (smtp-server); the mail is parsed with mailparser and its PNG
 * charts decoded with pngjs. Points reach the store over MQTT like any metric. Last, the chart step
 * alone against a store it cannot read or that breaks under it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { ParsedMail } from 'mailparser';
import type { MqttClient } from 'mqtt';
import { startTestSmtp, type TestSmtp } from '../helpers/smtp.js';
import type { AlarmMessage } from '../../alarms/alarm.js';
import type { AlarmNotification } from '../../alarms/notification.js';
import type { ConfigInput } from '../../config/schema.js';
import { CHART_COLORS, THRESHOLD_COLOR } from '../../notifiers/charts/option.js';
import { AlarmCharts } from '../../notifiers/services/email/charts.js';
import { HistoryReader } from '../../sinks/history/reader.js';
import { startTestBusbar, type TestBusbar } from '../helpers/busbar.js';
import { captureLog, LOG_LEVEL } from '../helpers/log-capture.js';
import { Clients, waitFor } from '../helpers/mqtt-clients.js';
import { tempDir } from '../helpers/process.js';
import { historyFixture } from '../sinks/history-fixture.js';
import { readPng } from './png-pixels.js';

const clients = new Clients();
let busbar: TestBusbar | undefined;
let smtp: TestSmtp | undefined;
let dir: { path: string; remove(): Promise<void> } | undefined;

afterEach(async () => {
  await clients.closeAll();
  await busbar?.stop();
  await smtp?.close();
  await dir?.remove();
  busbar = smtp = dir = undefined;
});

const PASSWORD = 'smtp-pass-5e07';
const MINUTE = 60_000;

async function startSmtp(mails: ParsedMail[]): Promise<number> {
  smtp = await startTestSmtp(PASSWORD, mails);
  return smtp.port;
}

/** A busbar mailing `port` for `route`, keeping its history store at a path the test can read. */
async function startBusbar(
  port: number,
  route: Record<string, unknown>,
  input: ConfigInput = {},
): Promise<{ busbar: TestBusbar; historyFile: string }> {
  dir = await tempDir('email-alarm');
  const historyFile = path.join(dir.path, 'history.db');
  const started = await startTestBusbar({
    agent: { enabled: false },
    sinks: { history: { path: historyFile, flushInterval: '20ms' } },
    ...input,
    alarms: { defaults: false, evaluateInterval: '50ms', ...input.alarms },
    notifiers: {
      enabled: true,
      services: {
        email: {
          ops: {
            host: '127.0.0.1',
            port,
            security: 'none',
            username: 'busbar',
            password: PASSWORD,
            from: 'busbar@example.org',
            to: ['ops@example.org'],
          },
        },
      },
      routes: [{ name: 'alarms', targets: ['email:ops'], ...route } as never],
    },
  });
  busbar = started;
  return { busbar: started, historyFile };
}

/** An hour of used_percent for `source`, one point a minute ending a minute ago (ns timestamps). */
async function publishHour(client: MqttClient, source: string, base: number): Promise<void> {
  const now = Date.now();
  const lines = Array.from(
    { length: 60 },
    (_, i) => `disk,path=/ used_percent=${base + (i % 10)} ${BigInt(now - (60 - i) * MINUTE) * 1_000_000n}`,
  );
  await client.publishAsync(`busbar/metrics/${source}/disk`, lines.join('\n'));
}

async function waitForStoredPoints(historyFile: string, pattern: string, points: number): Promise<void> {
  let reader: HistoryReader | undefined;
  let problem = '';
  const stored = (): number => {
    // The store's worker creates the file, then its tables, shortly after busbar has started.
    if (!existsSync(historyFile)) return 0;
    try {
      reader ??= HistoryReader.open(historyFile);
    } catch (error) {
      problem = ` (last: ${(error as Error).message})`;
      return 0;
    }
    return reader
      .range(pattern, { from: Date.now() - 2 * 3_600_000, to: Date.now(), maxPoints: 10_000 })
      .reduce((sum, series) => sum + series.points.length, 0);
  };
  try {
    await waitFor(() => stored() >= points, `${points} points of ${pattern} in the history store`, 20_000);
  } catch (error) {
    throw new Error(`${(error as Error).message}${problem}`);
  } finally {
    reader?.close();
  }
}

/**
 * Waits for `count` mails; on timeout the error carries busbar's warnings and alarm/notifier lines.
 * 30 s: the first mail renders the first chart (loading the chart library), which takes well over
 * 15 s on a machine busy with other work (seen: a failure at 15 s under a load average of 20).
 */
async function waitForMails(mails: readonly ParsedMail[], count: number, what: string): Promise<void> {
  try {
    await waitFor(() => mails.length >= count, what, 30_000);
  } catch (error) {
    const lines = busbar!.log.lines
      .filter((line) => line.level >= LOG_LEVEL.warn || /alarm|notif|chart/.test(String(line.msg)))
      .map((line) => JSON.stringify(line));
    throw new Error(`${(error as Error).message}; busbar said:\n${lines.join('\n')}`);
  }
}

function expectChart(png: Buffer): void {
  const picture = readPng(png);
  expect([picture.width, picture.height]).toEqual([800, 400]);
  expect(picture.colours).toBeGreaterThan(20);
  expect(picture.near(CHART_COLORS[0]!)).toBeGreaterThan(200);
  expect(picture.near(THRESHOLD_COLOR, 40)).toBeGreaterThan(100);
}

function alarm(source: string, value: number, summary: string): AlarmMessage {
  const firedAt = new Date(Date.now() - 10 * MINUTE).toISOString();
  return {
    rule: 'disk-full',
    series: `${source}.disk.used_percent{path=/}`,
    state: 'firing',
    severity: 'critical',
    value,
    threshold: 90,
    baseline: null,
    since: firedAt,
    firedAt,
    labels: { source, measurement: 'disk', field: 'used_percent', path: '/' },
    summary,
  };
}

function notification(alarms: AlarmMessage[]): AlarmNotification {
  return {
    id: 'rule=disk-full@1',
    group: 'rule=disk-full',
    labels: { rule: 'disk-full' },
    status: 'firing',
    reason: 'new',
    firing: alarms.length,
    resolved: 0,
    alarms,
    summary: `${alarms.length} firing: disk used`,
    time: new Date().toISOString(),
  };
}

describe('alarm mails with charts', () => {
  it('mails a firing alarm with a chart of its series from the history store, inline and attached', async () => {
    const mails: ParsedMail[] = [];
    const port = await startSmtp(mails);
    const { historyFile } = await startBusbar(
      port,
      {
        topic: 'busbar/alarms/#',
        filter: { fields: { state: 'firing' } },
        title: 'ALARM {payload.summary}',
        message: '{payload.summary}',
      },
      {
        alarms: {
          rules: [
            { kind: 'threshold', name: 'disk-full', measurement: 'disk', field: 'used_percent', above: 90 },
          ],
        },
      },
    );
    const client = await clients.connect(busbar!.url);
    await publishHour(client, 'web1', 50);
    await waitForStoredPoints(historyFile, 'web1/disk/used_percent', 60);
    await client.publishAsync('busbar/metrics/web1/disk', 'disk,path=/ used_percent=97.5');
    await waitForMails(mails, 1, 'the alarm mail');

    const mail = mails[0]!;
    expect(mail.subject).toBe('ALARM disk used_percent on web1 (path=/) is 97.5, above 90');
    expect(mail.text).toContain('disk used_percent on web1 (path=/) is 97.5, above 90');
    expect(mail.attachments).toHaveLength(1);
    const chart = mail.attachments[0]!;
    expect(chart.contentType).toBe('image/png');
    expect(chart.filename).toMatch(/^chart-1-disk-full-.*\.png$/);
    expect(mail.text).toContain(chart.filename);
    expect(mail.html).toContain(`src="cid:${chart.cid}"`);
    expectChart(chart.content);
    expect(busbar!.log.text()).not.toContain(PASSWORD);
  });

  it('mails a grouped notification once, listing every alarm (escaped in HTML) with a chart of each', async () => {
    const mails: ParsedMail[] = [];
    const port = await startSmtp(mails);
    // No title or message: the route's defaults, the group's summary and each alarm's details.
    const { historyFile } = await startBusbar(port, { topic: 'busbar/notify/#' });
    const client = await clients.connect(busbar!.url);
    await publishHour(client, 'web1', 50);
    await publishHour(client, 'web2', 60);
    await waitForStoredPoints(historyFile, 'web*/disk/used_percent', 120);
    const group = notification([
      alarm('web1', 95, 'disk used_percent on web1 <root> is 95, above 90'),
      alarm('web2', 92.5, 'disk used_percent on web2 is 92.5, above 90'),
    ]);
    await busbar!.running.bus.publish('busbar/notify/test-group', JSON.stringify(group));
    await waitForMails(mails, 1, 'the grouped mail');

    const mail = mails[0]!;
    expect(mail.subject).toBe('2 firing: disk used');
    expect(mail.text).toContain(
      '[FIRING] critical disk used_percent on web1 <root> is 95, above 90\nValue 95, threshold 90',
    );
    expect(mail.text).toContain(
      '[FIRING] critical disk used_percent on web2 is 92.5, above 90\nValue 92.5, threshold 90',
    );
    expect(mail.html).toContain('disk used_percent on web1 &lt;root&gt; is 95');
    expect(mail.html).not.toContain('<root>');
    expect(mail.attachments).toHaveLength(2);
    for (const chart of mail.attachments) {
      expect(chart.contentType).toBe('image/png');
      expect(mail.html).toContain(`src="cid:${chart.cid}"`);
      expectChart(chart.content);
    }
    expect(mail.attachments.map((chart) => chart.filename)).toEqual([
      expect.stringContaining('web1.disk'),
      expect.stringContaining('web2.disk'),
    ]);
    // Nothing else is mailed for it (the wait above only saw the first).
    await busbar!.running.bus.publish('busbar/notify/test-group', 'marker');
    await waitForMails(mails, 2, 'the marker mail');
    expect(mails).toHaveLength(2);
    expect(mails[1]!.attachments).toHaveLength(0);
  });

  it('attaches at most 5 charts and says how many more there were', async () => {
    const mails: ParsedMail[] = [];
    const port = await startSmtp(mails);
    const { historyFile } = await startBusbar(port, { topic: 'busbar/notify/#', title: 'many' });
    const client = await clients.connect(busbar!.url);
    await publishHour(client, 'web1', 50);
    await waitForStoredPoints(historyFile, 'web1/disk/used_percent', 60);
    const alarms = Array.from({ length: 7 }, (_, i) => alarm('web1', 91 + i, `alarm ${i}`));
    await busbar!.running.bus.publish('busbar/notify/test-group', JSON.stringify(notification(alarms)));
    await waitForMails(mails, 1, 'the grouped mail');
    expect(mails[0]!.attachments).toHaveLength(5);
    expect(mails[0]!.text).toContain('2 more firing alarms have no chart here (at most 5 per mail).');
    expect(mails[0]!.text).toContain('[FIRING] critical alarm 6\nValue 97, threshold 90');
  });

  it('still mails, without a chart, when the history store is off', async () => {
    const mails: ParsedMail[] = [];
    const port = await startSmtp(mails);
    await startBusbar(
      port,
      { topic: 'busbar/notify/#', title: 'no store' },
      { sinks: { history: { enabled: false } } },
    );
    await busbar!.running.bus.publish(
      'busbar/notify/test-group',
      JSON.stringify(notification([alarm('web1', 95, 'disk used_percent on web1 is 95, above 90')])),
    );
    await waitForMails(mails, 1, 'the mail');
    expect(mails[0]!.attachments).toHaveLength(0);
    expect(mails[0]!.text).toContain('[FIRING] critical disk used_percent on web1 is 95, above 90');
    expect(busbar!.log.find('no chart in the mail: the history store is off')).toHaveLength(1);
  });
});

describe('alarm charts that cannot be drawn', () => {
  it('leave the mail without a chart and say why: store unreadable, then a chart failing', async () => {
    const log = captureLog('debug');
    const missing = new AlarmCharts({ kind: 'embedded', path: '/nonexistent/busbar/history.db' }, log.logger);
    const signal = new AbortController().signal;
    expect(await missing.render([alarm('web1', 95, 'x')], Date.now(), signal)).toEqual({
      charts: [],
      omitted: 0,
    });
    expect(log.find('no chart in the mail: history store not readable')).toHaveLength(1);
    missing.close();

    const store = await historyFixture();
    try {
      const now = Date.now();
      const lines = Array.from(
        { length: 30 },
        (_, i) => `disk,path=/ used_percent=${50 + i} ${now - i * MINUTE}`,
      );
      store.write('web1', lines.join('\n'));
      const charts = new AlarmCharts({ kind: 'embedded', path: store.file }, log.logger);
      const drawn = await charts.render([alarm('web1', 95, 'x')], now, signal);
      expect(drawn.charts).toHaveLength(1);
      expect(readPng(drawn.charts[0]!.png).width).toBe(800);
      // The store loses its points table under the open reader: reading the series now throws.
      store.db.exec('DROP TABLE points');
      expect(await charts.render([alarm('web1', 95, 'x')], now, signal)).toEqual({ charts: [], omitted: 0 });
      const warnings = log.find('chart failed; the mail goes without it');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatchObject({
        level: LOG_LEVEL.warn,
        rule: 'disk-full',
        err: expect.stringMatching(/points/),
      });
      charts.close();
    } finally {
      await store.close();
    }
  });
});
