/**
 * The bot's commands against a real busbar (history store, retained status and alarm topics) through
 * the fake Bot API: STATUS (summary, loose words, units, suggestions), GRAPH (a real PNG with its
 * lines, threshold and firing shade), ALARMS, HELP, slash forms, unknown commands; the token never
 * in the log.
 */
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHART_COLORS, THRESHOLD_COLOR } from '../../notifiers/charts/option.js';
import type { BotApiCall } from '../helpers/fake-bot-api.js';
import { startBotHarness, TOKEN, type BotHarness } from './bot-harness.js';

let harness: BotHarness;
let firedAt: number;
const NOW_S = Math.floor(Date.now() / 1000);
const LAST_USER = (20 + 10 * Math.sin(359 / 20)).toFixed(2);

beforeAll(async () => {
  harness = await startBotHarness({
    alarms: {
      rules: [
        { kind: 'threshold', name: 'disk_used', measurement: 'disk', field: 'used_percent', above: 90 },
      ],
    },
  });
  await harness.client.publishAsync('busbar/status/web1', 'online', { retain: true, qos: 1 });
  await harness.client.publishAsync('busbar/status/db1', 'offline', { retain: true, qos: 1 });
  // Six hours of web1's cpu at one-minute steps, then disk and memory values now.
  const cpu = Array.from({ length: 360 }, (_, i) => {
    const t = NOW_S - (359 - i) * 60;
    return `cpu,host=web1 usage_user=${(20 + 10 * Math.sin(i / 20)).toFixed(2)},usage_system=${5 + (i % 7)} ${t}000000000`;
  });
  await harness.publish('web1', 'cpu', cpu.join('\n'));
  await harness.publish('web1', 'disk', 'disk,host=web1,path=/data used_percent=40');
  await harness.publish('web1', 'disk', 'disk,host=web1,path=/ used_percent=95.5,free_bytes=1073741824');
  await harness.publish('db1', 'mem', 'mem,host=db1 available_percent=55');
  await harness.stored('web1/cpu/*');
  await harness.stored('web1/disk/used_percent{host=web1,path=/}');
  await harness.stored('web1/disk/free_bytes');
  await harness.stored('db1/*');
  firedAt = Date.parse(String((await harness.alarm('disk_used', 'firing')).firedAt));
}, 60_000);

afterAll(async () => {
  await harness?.stop();
});

const text = (call: BotApiCall): string => call.params.text ?? '';

/** Pixels within `tolerance` of a `#rrggbb` colour. */
function countColour(png: PNG, hex: string, tolerance = 24): number {
  const [r, g, b] = [1, 3, 5].map((at) => parseInt(hex.slice(at, at + 2), 16)) as [number, number, number];
  let count = 0;
  for (let i = 0; i < png.data.length; i += 4) {
    const d = Math.abs(png.data[i]! - r) + Math.abs(png.data[i + 1]! - g) + Math.abs(png.data[i + 2]! - b);
    if (d <= tolerance) count++;
  }
  return count;
}

function nonWhite(png: PNG): number {
  let count = 0;
  for (let i = 0; i < png.data.length; i += 4) {
    if (png.data[i]! < 240 || png.data[i + 1]! < 240 || png.data[i + 2]! < 240) count++;
  }
  return count;
}

function photo(call: BotApiCall): PNG {
  expect(call.method).toBe('sendPhoto');
  expect(call.contentType).toBe('multipart/form-data');
  const file = call.files.photo;
  expect(file?.contentType).toBe('image/png');
  return PNG.sync.read(file!.bytes);
}

describe('STATUS', () => {
  it('summarises every source: online or offline, its series and firing alarms', async () => {
    const reply = text(await harness.ask('STATUS'));
    expect(reply).toContain('<b>2 sources</b>, 1 online, 1 alarms firing');
    expect(reply).toMatch(/🟢 <b>web1<\/b>: online [^\n]*, 5 series, <b>1 firing<\/b>/);
    expect(reply).toMatch(/🔴 <b>db1<\/b>: offline [^\n]*, 1 series\n?/);
    expect(reply).not.toMatch(/db1[^\n]*firing/);
  });

  it('gives the latest values of loosely matched series, with units and age', async () => {
    const reply = text(await harness.ask('status WEB1 cpu'));
    expect(reply).toContain('<b>web1</b> 🟢 online');
    expect(reply).toMatch(
      new RegExp(
        `cpu usage_user: <b>${LAST_USER.replace(/0+$/, '').replace(/\.$/, '')}</b> · (now|\\d+s ago)`,
      ),
    );
    expect(reply).toMatch(/cpu usage_system: <b>\d+<\/b>/);
    expect(reply).not.toContain('disk');
    expect(reply).not.toContain('Firing');
  });

  it('shows units, tag values as words, and the firing alarms of what it shows', async () => {
    const reply = text(await harness.ask('STATUS web1 disk /'));
    expect(reply).toContain('disk used_percent (path=/): <b>95.5 %</b>');
    expect(reply).toContain('disk free_bytes (path=/): <b>1 GiB</b>');
    expect(reply).not.toContain('/data');
    expect(reply).toMatch(
      /<b>Firing<\/b>\n🟠 <b>disk_used<\/b>: disk used_percent on web1 \(path=\/\) is 95.5, above 90/,
    );
  });

  it('answers an unknown name with the closest known ones', async () => {
    const reply = text(await harness.ask('STATUS wbe1 cpuu'));
    expect(reply).toContain('No series matches <code>wbe1</code>. Did you mean: <code>web1</code>');
    expect(reply).toContain('No series matches <code>cpuu</code>. Did you mean: <code>cpu</code>');
    const nothing = text(await harness.ask('STATUS qqqqqqqq'));
    expect(nothing).toBe('No series matches <code>qqqqqqqq</code>.');
  });
});

describe('STATUS of many series', () => {
  it('shows the first 30 and counts the rest', async () => {
    const fields = Array.from({ length: 35 }, (_, i) => `p${String(i).padStart(2, '0')}_rx_bytes=${i}`).join(
      ',',
    );
    await harness.publish('sw1', 'ports', `ports ${fields}`);
    await harness.stored('sw1/ports/p34_rx_bytes');
    const lines = text(await harness.ask('STATUS sw1')).split('\n');
    expect(lines[0]).toBe('<b>sw1</b>');
    expect(lines.filter((line) => line.startsWith('  ports '))).toHaveLength(30);
    expect(lines[1]).toMatch(/^ {2}ports p00_rx_bytes: <b>0 B<\/b> · (now|\d+s ago)$/);
    expect(lines.at(-1)).toBe('… and 5 more series (narrow it down with more words)');
  });
});

describe('STATUS of a source known only from its status', () => {
  it('says whether it is online, and that the history store has nothing of it', async () => {
    await harness.client.publishAsync('busbar/status/pdu9', 'offline', { retain: true, qos: 1 });
    const reply = text(await harness.ask('STATUS PDU9'));
    expect(reply).toMatch(/^<b>pdu9<\/b> 🔴 offline (now|\d+s ago)\n {2}no series in the history store$/);
  });
});

describe('GRAPH', () => {
  it('sends a PNG chart with one line per matching series', async () => {
    const call = await harness.ask('GRAPH web1 cpu 6h');
    const png = photo(call);
    expect(png.width).toBe(800);
    expect(png.height).toBe(400);
    expect(nonWhite(png)).toBeGreaterThan(5_000);
    // Both series drawn, in the first two colours; no threshold on cpu.
    expect(countColour(png, CHART_COLORS[0]!)).toBeGreaterThan(300);
    expect(countColour(png, CHART_COLORS[1]!)).toBeGreaterThan(300);
    expect(countColour(png, THRESHOLD_COLOR, 12)).toBeLessThan(20);
    expect(call.params.caption).toMatch(
      /^web1 cpu\n\d{4}-\d\d-\d\d \d\d:\d\d – \d{4}-\d\d-\d\d \d\d:\d\d UTC$/,
    );
  });

  it('draws the alarm threshold and shades the firing period (slash form)', async () => {
    // From a minute before the alarm fired: most of the chart is the firing period.
    const iso = (ms: number): string => `${new Date(ms).toISOString().slice(0, 19)}Z`;
    const call = await harness.ask(
      `/graph web1 disk used_percent / ${iso(firedAt - 60_000)}..${iso(Date.now() + 60_000)}`,
    );
    const png = photo(call);
    expect(call.params.caption).toContain('web1/disk/used_percent{host=web1,path=/}');
    expect(countColour(png, THRESHOLD_COLOR, 40)).toBeGreaterThan(100);
    // rgba(214, 39, 40, 0.12) over white.
    expect(countColour(png, '#f9e2e2', 12)).toBeGreaterThan(100);
  });

  it('explains a range it does not understand, and suggests names', async () => {
    expect(text(await harness.ask('GRAPH web1 cpu 10:00..nonsense'))).toContain('chart range');
    expect(text(await harness.ask('GRAPH web1 dsik'))).toContain('Did you mean: <code>disk</code>');
    expect(text(await harness.ask('GRAPH db1 mem 10:00..10:01'))).toContain('No numeric value');
  });
});

describe('ALARMS, HELP and unknown commands', () => {
  it('lists the firing alarms, plain and as a slash command', async () => {
    for (const command of ['ALARMS', '/alarms', '/alarms@busbar_test_bot']) {
      const reply = text(await harness.ask(command));
      expect(reply).toMatch(
        /^<b>1 firing<\/b>\n🟠 <b>disk_used<\/b>: disk used_percent on web1 \(path=\/\) is 95.5, above 90/,
      );
    }
  });

  it('answers HELP and /help with every command', async () => {
    for (const command of ['HELP', '/help', 'help']) {
      const reply = text(await harness.ask(command));
      for (const name of ['STATUS', 'GRAPH', 'ALARMS', 'SILENCE', 'UNSILENCE']) expect(reply).toContain(name);
    }
  });

  it('suggests the closest command for a typo', async () => {
    const reply = text(await harness.ask('STAUTS web1'));
    expect(reply).toContain('Unknown command <code>STAUTS</code>. Did you mean <code>STATUS</code>?');
  });

  it('never logs the token, and every reply was sent as HTML with the right token', () => {
    expect(harness.busbar.log.text()).not.toContain(TOKEN);
    expect(harness.busbar.log.text()).not.toContain(TOKEN.split(':')[1]);
    const replies = harness.api.calls.filter((call) => call.method === 'sendMessage');
    expect(replies.length).toBeGreaterThan(10);
    expect(replies.every((call) => call.params.parse_mode === 'HTML' && call.authorized)).toBe(true);
  });
});

describe('without the history store', () => {
  it('still summarises the sources from the bus, and says why there is no chart', async () => {
    const bare = await startBotHarness({ history: false });
    try {
      await bare.client.publishAsync('busbar/status/web1', 'online', { retain: true, qos: 1 });
      const summary = text(await bare.ask('STATUS'));
      expect(summary).toMatch(
        /^<b>1 sources<\/b>, 1 online, 0 alarms firing\n🟢 <b>web1<\/b>: online (now|\d+s ago)\n/,
      );
      expect(summary).toContain('(the history store is off: no values)');
      expect(text(await bare.ask('GRAPH web1 cpu'))).toBe(
        '⚠️ the history store is off (sinks.history.enabled: false)',
      );
    } finally {
      await bare.stop();
    }
  });
});
