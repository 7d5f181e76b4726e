/**
 * Charts rendered without a browser (ECharts SVG → resvg PNG), decoded back with pngjs and looked at
 * pixel by pixel; chart ranges as people type them; charts of a real history store file written by
 * the store's own writer.
 */
import { EmbeddedHistory } from '../../history/embedded.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { AlarmMessage } from '../../alarms/alarm.js';
import {
  alarmChart,
  alarmSeriesName,
  parseChartRange,
  seriesChartPng,
} from '../../notifiers/charts/history-chart.js';
import { CHART_COLORS, THRESHOLD_COLOR } from '../../notifiers/charts/option.js';
import { renderChartPng, takeChartFontWarning, type ChartSpec } from '../../notifiers/charts/render.js';
import { unitOfField } from '../../notifiers/charts/unit.js';
import { historyFixture, type HistoryFixture } from '../sinks/history-fixture.js';
import { readPng } from './png-pixels.js';

const HOUR = 3_600_000;
const MINUTE = 60_000;
const BLUE = CHART_COLORS[0]!;
const GREEN = CHART_COLORS[1]!;
/** The firing band (rgba(214, 39, 40, 0.12)) over the white background. */
const BAND = '#fae5e5';
/** ECharts' title text colour. */
const TITLE_TEXT = '#3c3c41';

function wave(
  from: number,
  count: number,
  base: number,
  amplitude: number,
): { time: number; value: number }[] {
  return Array.from({ length: count }, (_, i) => ({
    time: from + i * MINUTE,
    value: base + amplitude * Math.sin(i / 60),
  }));
}

const TO = Date.UTC(2026, 10, 25, 12);
const FROM = TO - 24 * HOUR;

function spec(overrides: Partial<ChartSpec> = {}): ChartSpec {
  return {
    title: 'web1/disk/used_percent',
    from: FROM,
    to: TO,
    unit: '%',
    series: [
      { name: 'web1', points: wave(FROM, 1440, 50, 20) },
      { name: 'web2', points: wave(FROM, 1440, 30, 10) },
    ],
    thresholds: [{ value: 90, label: 'threshold 90' }],
    firing: [{ from: TO - 4 * HOUR, to: TO }],
    ...overrides,
  };
}

describe('renderChartPng', () => {
  it('draws every series in its colour, the threshold, the firing band and the title', () => {
    const picture = readPng(renderChartPng(spec()));
    expect(picture.width).toBe(800);
    expect(picture.height).toBe(400);
    expect(picture.colours).toBeGreaterThan(50);
    // Two 1,440-point lines 2 px wide cover well over a thousand pixels each.
    expect(picture.near(BLUE)).toBeGreaterThan(500);
    expect(picture.near(GREEN)).toBeGreaterThan(500);
    expect(picture.near(THRESHOLD_COLOR, 40)).toBeGreaterThan(200);
    // 4 of 24 hours shaded: about a sixth of the plot area.
    expect(picture.near(BAND, 6)).toBeGreaterThan(20_000);
    expect(picture.near(TITLE_TEXT, 40, { top: 0, bottom: 30 })).toBeGreaterThan(50);
  });

  it('draws nothing it was not given: one series, no threshold, no band', () => {
    const picture = readPng(
      renderChartPng(
        spec({ series: [{ name: 'web2', points: wave(FROM, 1440, 30, 10) }], thresholds: [], firing: [] }),
      ),
    );
    expect(picture.near(GREEN)).toBe(0);
    expect(picture.near(BLUE)).toBeGreaterThan(500);
    expect(picture.near(THRESHOLD_COLOR, 40)).toBe(0);
    expect(picture.near(BAND, 6)).toBe(0);
  });

  it('keeps a threshold far from the values in view', () => {
    const values = spec({ firing: [], thresholds: [] });
    const withFar = spec({ firing: [], thresholds: [{ value: 500, label: 'threshold 500' }] });
    expect(readPng(renderChartPng(values)).near(THRESHOLD_COLOR, 40)).toBe(0);
    expect(readPng(renderChartPng(withFar)).near(THRESHOLD_COLOR, 40)).toBeGreaterThan(200);
  });

  it('shows a lone point, which draws no line', () => {
    const lone = spec({
      series: [{ name: 'web1', points: [{ time: TO - HOUR, value: 40 }] }],
      thresholds: [],
      firing: [],
    });
    expect(readPng(renderChartPng(lone)).near(BLUE)).toBeGreaterThan(10);
  });

  it('renders at the size asked, and an empty chart too', () => {
    const small = readPng(renderChartPng(spec({ width: 400, height: 200 })));
    expect([small.width, small.height]).toEqual([400, 200]);
    const empty = readPng(renderChartPng(spec({ series: [], thresholds: [], firing: [] })));
    expect([empty.width, empty.height]).toEqual([800, 400]);
    expect(empty.near(BLUE)).toBe(0);
  });

  it('still renders with the font file missing, and says so once', () => {
    const missing = '/nonexistent/fonts/NoSuchFont.ttf';
    const picture = readPng(renderChartPng(spec(), { fontFile: missing }));
    expect(picture.near(BLUE)).toBeGreaterThan(500);
    expect(takeChartFontWarning()).toContain(missing);
    renderChartPng(spec(), { fontFile: missing });
    expect(takeChartFontWarning()).toBeUndefined();
  });
});

describe('unitOfField', () => {
  it('reads the plain cases and leaves the rest without a unit', () => {
    expect(unitOfField('used_percent')).toBe('%');
    expect(unitOfField('rx_bytes')).toBe('B');
    expect(unitOfField('power_w')).toBe('W');
    expect(unitOfField('watts')).toBe('W');
    expect(unitOfField('power_factor')).toBeUndefined();
    expect(unitOfField('load1')).toBeUndefined();
  });
});

describe('parseChartRange', () => {
  const now = Date.UTC(2026, 10, 25, 12, 30);

  it('reads spans back from now, 24h by default', () => {
    expect(parseChartRange(undefined, now)).toEqual({ from: now - 24 * HOUR, to: now });
    expect(parseChartRange('', now)).toEqual({ from: now - 24 * HOUR, to: now });
    expect(parseChartRange('1h', now)).toEqual({ from: now - HOUR, to: now });
    expect(parseChartRange(' 6H ', now)).toEqual({ from: now - 6 * HOUR, to: now });
    expect(parseChartRange('7d', now)).toEqual({ from: now - 7 * 24 * HOUR, to: now });
  });

  it('reads FROM..TO with ISO dates, date-times (UTC unless zoned) and times of day', () => {
    expect(parseChartRange('2026-11-20..2026-11-22', now)).toEqual({
      from: Date.UTC(2026, 10, 20),
      to: Date.UTC(2026, 10, 22),
    });
    expect(parseChartRange('2026-11-24T10:00..2026-11-24T11:30+01:00', now)).toEqual({
      from: Date.UTC(2026, 10, 24, 10),
      to: Date.UTC(2026, 10, 24, 10, 30),
    });
    expect(parseChartRange('08:00..10:15', now)).toEqual({
      from: Date.UTC(2026, 10, 25, 8),
      to: Date.UTC(2026, 10, 25, 10, 15),
    });
    // Across midnight: the start is on the day before.
    expect(parseChartRange('22:00..06:00', now)).toEqual({
      from: Date.UTC(2026, 10, 24, 22),
      to: Date.UTC(2026, 10, 25, 6),
    });
    expect(parseChartRange('09:00..', now)).toEqual({ from: Date.UTC(2026, 10, 25, 9), to: now });
  });

  it('refuses what it cannot read, saying what it expects', () => {
    expect(() => parseChartRange('yesterday', now)).toThrow(/"yesterday" is not understood; use 1h/);
    expect(() => parseChartRange('0h', now)).toThrow(/span is zero/);
    expect(() => parseChartRange('25:00..26:00', now)).toThrow(/"25:00" is not a time of day/);
    expect(() => parseChartRange('2026-11-22..2026-11-20', now)).toThrow(/start is not before the end/);
    expect(() => parseChartRange('..10:00', now)).toThrow(/start is missing/);
    expect(() => parseChartRange('monday..friday', now)).toThrow(/"monday" is not an ISO 8601 date/);
    // Date.parse would roll these over into the next month.
    expect(() => parseChartRange('2026-02-30..2026-03-02', now)).toThrow(/"2026-02-30" is not an ISO/);
    expect(() => parseChartRange('2026-11-01..2026-11-31t10:00', now)).toThrow(/"2026-11-31t10:00"/);
  });
});

describe('charts of the history store', () => {
  let fixture: HistoryFixture | undefined;
  afterEach(async () => {
    await fixture?.close();
    fixture = undefined;
  });

  /** Two hours of one point a minute for web1 and web2, ending a minute ago. */
  async function storeWithDisks(now: number): Promise<HistoryFixture> {
    const store = await historyFixture();
    const lines = (host: string, base: number): string =>
      Array.from(
        { length: 120 },
        (_, i) => `disk,path=/ used_percent=${base + (i % 30)},state="ok" ${now - (120 - i) * MINUTE}`,
      ).join('\n');
    expect(store.write('web1', lines('web1', 40))).toBe(240);
    expect(store.write('web2', lines('web2', 10))).toBe(240);
    return store;
  }

  it('draws every series a pattern selects, up to maxSeries, and nothing for no match', async () => {
    const now = Date.now();
    fixture = await storeWithDisks(now);
    const reader = new EmbeddedHistory(fixture.file);
    const range = { from: now - 3 * HOUR, to: now };

    const both = await seriesChartPng(reader, 'web*/disk/used_percent', range);
    expect(both).toMatchObject({ series: 2, omitted: 0 });
    const picture = readPng(both!.png);
    expect([picture.width, picture.height]).toEqual([800, 400]);
    expect(picture.near(BLUE)).toBeGreaterThan(300);
    expect(picture.near(GREEN)).toBeGreaterThan(300);

    const one = await seriesChartPng(reader, 'web*/disk/used_percent', range, { maxSeries: 1 });
    expect(one).toMatchObject({ series: 1, omitted: 1 });
    expect(readPng(one!.png).near(GREEN)).toBe(0);

    expect(await seriesChartPng(reader, 'db*/*', range)).toBeUndefined();
    // Text fields have no line to draw.
    expect(await seriesChartPng(reader, 'web1/disk/state', range)).toBeUndefined();
    // A window before the first point.
    expect(
      await seriesChartPng(reader, 'web1/*', { from: now - 48 * HOUR, to: now - 24 * HOUR }),
    ).toBeUndefined();
  });

  it('draws an alarmed series with its threshold and firing period from the alarm labels', async () => {
    const now = Date.now();
    fixture = await storeWithDisks(now);
    const reader = new EmbeddedHistory(fixture.file);
    const firedAt = new Date(now - 30 * MINUTE).toISOString();
    const alarm: AlarmMessage = {
      rule: 'disk-full',
      series: 'web1.disk.used_percent{path=/}',
      state: 'firing',
      severity: 'warning',
      value: 69,
      threshold: 65,
      baseline: null,
      since: firedAt,
      firedAt,
      labels: { source: 'web1', measurement: 'disk', field: 'used_percent', path: '/' },
      summary: 'disk used_percent on web1 (path=/) is 69, above 65',
    };
    expect(alarmSeriesName(alarm)).toBe('web1/disk/used_percent{path=/}');
    const picture = readPng((await alarmChart(reader, alarm, now))!.png);
    expect(picture.near(BLUE)).toBeGreaterThan(300);
    expect(picture.near(GREEN)).toBe(0);
    expect(picture.near(THRESHOLD_COLOR, 40)).toBeGreaterThan(200);
    // 30 of the 3.5 hours shown.
    expect(picture.near(BAND, 6)).toBeGreaterThan(10_000);

    const offline = { ...alarm, labels: { source: 'web1' } };
    expect(await alarmChart(reader, offline, now)).toBeUndefined();
    const unknown = { ...alarm, labels: { ...alarm.labels, path: '/var' } };
    expect(await alarmChart(reader, unknown, now)).toBeUndefined();
  });
});
