/**
 * `npm run bench:notify`: the latency from a metric's publish to its alarm's notification, as the
 * SMTP server accepts the mail and as the (fake, local) Telegram Bot API receives sendMessage, over
 * 1,000 alarms (one new series each crossing the threshold; grouping off: the route listens to
 * busbar/alarms/# directly). Alarms are sent one at a time, so each latency is the path's own, not a
 * queue's. References measured in the same run: a plain message's round trip through the broker, and
 * the metric → alarm topic step the notifiers start from. The same alarms also go down a routing tree
 * (a route with two children, one with `continue`, grouping each alarm on its own with no wait) to a
 * second Telegram chat: the path through the alarms component's notification stage. Every route has
 * the default title and message (summary, details with the chart link). Then the GRAPH
 * render time of a 24 h series
 * at 1-minute resolution (bench/notify-render.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import mqtt from 'mqtt';
import pino from 'pino';
import { SMTPServer } from 'smtp-server';
import { startBusbar } from '../cli/app.js';
import { parseConfig } from '../config/load.js';
import { FakeBotApi } from './fake-bot-api.js';
import { measureRender } from './notify-render.js';

const { values } = parseArgs({
  strict: true,
  options: { alarms: { type: 'string' }, runs: { type: 'string' } },
});
const ALARMS = Number(values.alarms ?? 1_000);
const RENDER_RUNS = Number(values.runs ?? 100);
const TOKEN = '1000001:bench-notify-token';
const TARGET_P99_MS = 250;
const TREE_CHAT = 2;
const TARGET_RENDER_MS = 150;
const SERIES_RE = /\bs(\d+)\.temp\.temp\b/;
/** A notification in the default message names its alarm's source in the summary (`temp on s12 is 60`). */
const NOTIFIED_RE = / on s(\d+)\b/;

const out = (line = ''): void => void process.stdout.write(`${line}\n`);

interface Stats {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly count: number;
}

function stats(values: number[]): Stats {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): number =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
  return { p50: at(0.5), p99: at(0.99), max: sorted.at(-1)!, count: sorted.length };
}

/** Resolvers waiting for an alarm's arrival at one place, by alarm number. */
class Arrivals {
  private readonly times = new Map<number, number>();
  private readonly waiting = new Map<number, (at: number) => void>();

  record(index: number, at: number): void {
    const resolve = this.waiting.get(index);
    if (resolve) {
      this.waiting.delete(index);
      resolve(at);
    } else this.times.set(index, at);
  }

  wait(index: number, timeoutMs: number, what: string): Promise<number> {
    const known = this.times.get(index);
    if (known !== undefined) return Promise.resolve(known);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`alarm ${index}: no ${what} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.waiting.set(index, (at) => {
        clearTimeout(timer);
        resolve(at);
      });
    });
  }
}

async function startSmtp(arrivals: Arrivals): Promise<SMTPServer> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    // smtp-server greets each connection after a fixed 100 ms (early-talker check), and the email
    // service opens a connection per mail: that wait is in every mail latency below.
    onData(stream, _session, callback) {
      let head = '';
      stream.on('data', (chunk: Buffer) => {
        if (head.length < 4096) head += chunk.toString('utf8');
      });
      stream.on('end', () => {
        // Accepted: the whole message is in, the 250 reply goes out now.
        const at = performance.now();
        const subject = /^Subject: (.*)$/im.exec(head)?.[1] ?? '';
        const match = NOTIFIED_RE.exec(subject);
        if (match) arrivals.record(Number(match[1]), at);
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

async function latency(): Promise<{ rows: [string, Stats][]; lost: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'busbar-bench-notify-'));
  const mail = new Arrivals();
  const telegram = new Arrivals();
  const alarm = new Arrivals();
  const tree = new Arrivals();
  const smtp = await startSmtp(mail);
  const api = await FakeBotApi.start({ token: TOKEN });
  api.onCall = (call) => {
    if (call.method !== 'sendMessage') return;
    const match = NOTIFIED_RE.exec(call.params.text ?? '');
    if (match)
      (call.params.chat_id === String(TREE_CHAT) ? tree : telegram).record(Number(match[1]), call.at);
  };
  const config = parseConfig({
    broker: { listeners: [{ type: 'tcp', host: '127.0.0.1', port: 0 }] },
    agent: { enabled: false },
    web: { enabled: false },
    sinks: { history: { enabled: false } },
    alarms: {
      defaults: false,
      statePath: join(dir, 'alarms.json'),
      rules: [{ kind: 'threshold', name: 'hot', measurement: 'temp', field: 'temp', above: 50 }],
    },
    notifiers: {
      enabled: true,
      // The default message links each alarm to its chart: rendered as people get it.
      externalUrl: 'https://busbar.example.org',
      recordPath: join(dir, 'notifications.db'),
      services: {
        email: {
          bench: {
            host: '127.0.0.1',
            port: (smtp.server.address() as AddressInfo).port,
            security: 'none',
            from: 'busbar@example.org',
            to: ['ops@example.org'],
          },
        },
        telegram: {
          bench: { token: TOKEN, chats: [1], apiRoot: api.url },
          tree: { token: TOKEN, chats: [TREE_CHAT], apiRoot: api.url },
        },
      },
      routes: [
        {
          name: 'alarms',
          topic: 'busbar/alarms/#',
          filter: { fields: { state: 'firing' } },
          // No title or message: the default ones, as a route with no templates renders them.
          targets: ['email:bench', 'telegram:bench'],
        },
        {
          name: 'tree',
          matchers: { rule: 'hot' },
          groupBy: ['...'],
          groupWait: '0s',
          targets: ['telegram:tree'],
          routes: [
            { name: 'pager', matchers: { severity: 'critical' }, continue: true },
            { name: 'rest', matchers: { rule: 'hot' } },
          ],
        },
      ],
      // The limits protect real chats and mailboxes; here they would measure the limiter.
      delivery: { ratePerMinute: 1_000_000, burst: 100_000, queueSize: 100_000 },
    },
  });
  const running = await startBusbar(config, pino({ level: 'warn' }));
  const client = await mqtt.connectAsync(running.broker!.listeners[0]!.url, { protocolVersion: 4 });
  const echo = new Arrivals();
  try {
    client.on('message', (topic) => {
      const at = performance.now();
      if (topic.startsWith('bench/echo/')) return echo.record(Number(topic.slice('bench/echo/'.length)), at);
      const match = SERIES_RE.exec(topic);
      if (match) alarm.record(Number(match[1]), at);
    });
    await client.subscribeAsync('busbar/alarms/hot/#', { qos: 0 });
    await client.subscribeAsync('bench/echo/#', { qos: 0 });
    const echoTimes: number[] = [];
    for (let i = 0; i < ALARMS; i++) {
      const sent = performance.now();
      await client.publishAsync(`bench/echo/${i}`, 'x');
      echoTimes.push((await echo.wait(i, 10_000, 'echo')) - sent);
    }
    const alarmTimes: number[] = [];
    const mailTimes: number[] = [];
    const telegramTimes: number[] = [];
    const treeTimes: number[] = [];
    let lost = 0;
    for (let i = 0; i < ALARMS; i++) {
      const sent = performance.now();
      await client.publishAsync(`busbar/metrics/s${i}/temp`, `temp,host=s${i} temp=60`);
      const results = await Promise.allSettled([
        alarm.wait(i, 10_000, 'alarm on the bus'),
        mail.wait(i, 10_000, 'mail accepted'),
        telegram.wait(i, 10_000, 'Telegram sendMessage'),
        tree.wait(i, 10_000, 'Telegram sendMessage through the routing tree'),
      ]);
      const [onBus, mailed, sentToTelegram, throughTree] = results.map((result) =>
        result.status === 'fulfilled' ? result.value - sent : undefined,
      );
      if (onBus !== undefined) alarmTimes.push(onBus);
      if (mailed !== undefined) mailTimes.push(mailed);
      if (sentToTelegram !== undefined) telegramTimes.push(sentToTelegram);
      if (throughTree !== undefined) treeTimes.push(throughTree);
      lost += results.filter((result) => result.status === 'rejected').length;
    }
    return {
      rows: [
        ['MQTT publish → subscriber (reference)', stats(echoTimes)],
        ['metric → alarm on the bus (reference)', stats(alarmTimes)],
        ['metric → mail accepted by SMTP', stats(mailTimes)],
        ['metric → Telegram sendMessage received', stats(telegramTimes)],
        ['metric → Telegram via the routing tree', stats(treeTimes)],
      ],
      lost,
    };
  } finally {
    await client.endAsync();
    await running.stop();
    await api.close();
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  }
}

const ms = (value: number): string => value.toFixed(2).padStart(8);

const { rows, lost } = await latency();
const reference = rows[0]![1];
out(
  `notify latency: ${ALARMS.toLocaleString('en-US')} alarms, one at a time: a route on busbar/alarms/# (no grouping) and a routing tree (grouped each on its own, no wait)`,
);
out(
  `${'path'.padEnd(42)}${'n'.padStart(6)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'max ms'.padStart(9)}${'p50 ×ref'.padStart(10)}`,
);
for (const [name, row] of rows) {
  out(
    `${name.padEnd(42)}${String(row.count).padStart(6)} ${ms(row.p50)} ${ms(row.p99)} ${ms(row.max)}${(row.p50 / reference.p50).toFixed(1).padStart(9)}×`,
  );
}
if (lost > 0) out(`  ${lost} arrivals missing (not counted above)`);
const render = await measureRender({ runs: RENDER_RUNS });
out();
out(
  `GRAPH render, 24 h at 1-minute resolution (${render.points.toLocaleString('en-US')} points), ${render.runs} runs warm, PNG ${render.pngBytes.toLocaleString('en-US')} bytes`,
);
out(
  `${'PNG (ECharts SVG + resvg)'.padEnd(42)}${''.padStart(6)} ${ms(render.p50Ms)} ${ms(render.p99Ms)}${''.padStart(9)}${render.ratio.toFixed(1).padStart(9)}×`,
);
out(
  `${`${render.reference.name} (reference)`.padEnd(42)}${''.padStart(6)} ${ms(render.reference.p50Ms)} ${ms(render.reference.p99Ms)}`,
);
out();
const worst = Math.max(rows[2]![1].p99, rows[3]![1].p99, rows[4]![1].p99);
out(
  `targets: notification p99 < ${TARGET_P99_MS} ms: ${worst.toFixed(1)} ms ${worst < TARGET_P99_MS ? 'met' : 'MISSED'}; render < ${TARGET_RENDER_MS} ms: p50 ${render.p50Ms.toFixed(1)} ms, p99 ${render.p99Ms.toFixed(1)} ms ${render.p99Ms < TARGET_RENDER_MS ? 'met' : 'MISSED'}`,
);
