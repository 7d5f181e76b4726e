/**
 * A source's page as a host dashboard, in headless Chromium over a real busbar with its host agent
 * on: one chart per concept with its unit, the machine's facts from its inventory, no series left
 * out without a "more" button, the range in the URL. Every page on a phone and at night:
 * browser-screens.test.ts.
 */
import type { Browser, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, launchChromium } from './chromium.js';
import { startHostBusbar } from './host-busbar.js';
import type { WebBusbar } from './web-fixture.js';

let web: WebBusbar;
let browser: Browser;
let host = '';

beforeAll(async () => {
  ({ web, host } = await startHostBusbar());
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await web?.stop();
});

/** How a value of each unit reads in a legend: its number, then its unit (with its prefix). */
const UNIT_VALUE: Record<string, RegExp> = {
  bytes: /^-?[\d.e-]+ (B|KiB|MiB|GiB|TiB|PiB)$/,
  'B/s': /^-?[\d.e-]+ (B|KiB|MiB|GiB|TiB)\/s$/,
  'bit/s': /^-?[\d.e-]+ [kMGT]?bit\/s$/,
  '%': /^-?[\d.e-]+ %$/,
  '°C': /^-?[\d.e-]+ °C$/,
  s: /^-?[\d.e-]+ (s|min|h|d)$/,
  ms: /^-?[\d.e-]+ (ms|s|min|h|d)$/,
  '/s': /^-?[\d.e-]+ [kMGT]?\/s$/,
  IOPS: /^-?[\d.e-]+ [kMGT]?IOPS$/,
  number: /^-?[\d.e-]+( [kMGTPE])?$/,
};

interface Span {
  from: number;
  to: number;
}

interface RangeResult {
  series: { name: string };
  points: Array<{ value: unknown }>;
}

interface ChartInfo {
  id: string;
  unit: string;
  count: number;
  legendRows: number;
  values: string[];
}

async function chartInfo(page: Page): Promise<Record<string, ChartInfo>> {
  const list = await page.locator('#charts .chart').evaluateAll((boxes) =>
    boxes.map((box) => ({
      id: box.getAttribute('data-chart') ?? '',
      unit: box.getAttribute('data-unit') ?? '',
      count: Number(box.getAttribute('data-series-count')),
      legendRows: box.querySelectorAll('.u-legend .u-series').length - 1,
      values: [...box.querySelectorAll('.u-legend .u-series[data-series] .u-value')].map(
        (cell) => cell.textContent ?? '',
      ),
    })),
  );
  return Object.fromEntries(list.map((chart) => [chart.id, chart]));
}

async function openDashboard(page: Page, query = ''): Promise<void> {
  await page.goto(`${web.base}/source/${encodeURIComponent(host)}${query}`);
  await page.waitForSelector('body[data-charts-ready]');
}

describe('the host dashboard', () => {
  it('draws one chart per concept with its unit, and the facts of the inventory', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await openDashboard(page);
    const charts = await chartInfo(page);
    const expected: Record<string, string> = {
      cpu: '%',
      mem: 'bytes',
      disk: '%',
      net: 'bit/s',
      load: 'number',
      processes: 'number',
      'top-cpu': '%',
      'top-mem': 'bytes',
    };
    for (const [id, unit] of Object.entries(expected)) {
      expect(charts[id], id).toBeDefined();
      expect(charts[id]!.unit, id).toBe(unit);
      expect(charts[id]!.legendRows, id).toBe(charts[id]!.count);
    }
    // CPU by state: every state but idle (the rest of 100 %), stacked.
    expect(charts.cpu!.count).toBe(9);
    expect(charts.mem!.count).toBe(4);
    expect(charts.load!.count).toBe(3);
    expect(charts.processes!.count).toBe(6);
    // Values in the legend carry their unit, with binary prefixes for bytes.
    for (const value of charts.mem!.values) expect(value).toMatch(/^[\d.]+ (B|KiB|MiB|GiB|TiB)$/);
    for (const value of charts.net!.values) expect(value).toMatch(/^[\d.]+ [kMG]?bit\/s$/);
    for (const value of charts.cpu!.values) expect(value).toMatch(/^[\d.]+ %$/);
    // Net: in and out for each interface.
    expect(charts.net!.count % 2).toBe(0);
    // Top processes by name, at most 12 shown, the rest behind a "N more" button.
    const topCpu = page.locator('.chart[data-chart="top-cpu"]');
    if (charts['top-cpu']!.count > 12) {
      await topCpu.locator('button.more').click();
      expect(await topCpu.locator('.u-legend .u-series[data-series]:visible').count()).toBe(
        charts['top-cpu']!.count,
      );
    }
    // The load chart says per how many cores.
    expect(await page.locator('.chart[data-chart="load"] h2').textContent()).toMatch(
      /^Load per core \(\d+ cores\)$/,
    );
    // Facts from busbar/inventory/<source>.
    await page.locator('#facts dd[data-fact="cores"]').waitFor();
    expect(await page.locator('#facts dd[data-fact="memory"]').textContent()).toMatch(/^[\d.]+ GiB$/);
    expect(await page.locator('#facts dd[data-fact="OS"]').textContent()).not.toBe('');
    // Every other field, grouped by unit, behind one visible control.
    const others = Number(await page.locator('#other-count').textContent());
    expect(others).toBeGreaterThan(0);
    // Grouped by the unit their names imply: procstat's memory_usage is a percentage.
    expect(
      await page.locator('#other-charts .chart[data-chart="procstat:%"]').getAttribute('data-unit'),
    ).toBe('%');
    await page.screenshot({ path: `${ARTIFACTS}web-dashboard.png`, fullPage: true });
    await page.locator('#others > summary').click();
    await page.screenshot({ path: `${ARTIFACTS}web-dashboard-others.png`, fullPage: true });
    await page.close();
  });

  it('every chart states its unit on each value, and together the charts hold every series read', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    // The series the page reads, as the server sent them: every one with a number must be drawn.
    const read = new Set<string>();
    const numeric = new Set<string>();
    const answers: Array<Promise<void>> = [];
    page.on('response', (response) => {
      if (!response.url().includes('/api/range')) return;
      answers.push(
        response.json().then((results: RangeResult[]) => {
          for (const result of results) {
            read.add(result.series.name);
            if (result.points.some((point) => typeof point.value === 'number'))
              numeric.add(result.series.name);
          }
        }),
      );
    });
    await openDashboard(page, '?from=-15m&to=now&refresh=off');
    await Promise.all(answers);
    const charts = await page.locator('.chart').evaluateAll((boxes) =>
      boxes.map((box) => ({
        id: box.getAttribute('data-chart') ?? '',
        unit: box.getAttribute('data-unit') ?? '',
        count: Number(box.getAttribute('data-series-count')),
        series: [...box.querySelectorAll('.u-legend .u-series[data-series]')].map(
          (row) => row.getAttribute('data-series') ?? '',
        ),
        values: [...box.querySelectorAll('.u-legend .u-series[data-series] .u-value')].map(
          (cell) => cell.textContent ?? '',
        ),
      })),
    );
    expect(charts.length).toBeGreaterThan(10);
    for (const chart of charts) {
      const pattern = UNIT_VALUE[chart.unit];
      expect(pattern, `${chart.id}: unit ${chart.unit}`).toBeDefined();
      expect(chart.count, chart.id).toBeGreaterThan(0);
      expect(chart.series, chart.id).toHaveLength(chart.count);
      for (const value of chart.values) expect(value, chart.id).toMatch(value === '–' ? /–/ : pattern!);
    }
    const drawn = new Set(charts.flatMap((chart) => chart.series));
    for (const name of numeric) expect(drawn.has(name), `${name} drawn`).toBe(true);
    for (const name of drawn) expect(read.has(name), `${name} read`).toBe(true);
    // One chart per core, as many as the inventory says the machine has.
    const cores = Number.parseInt(
      (await page.locator('#facts dd[data-fact="cores"]').textContent()) ?? '',
      10,
    );
    expect(charts.find((chart) => chart.id === 'cpu-cores')?.count).toBe(cores);
    await page.close();
  });

  it('a legend entry toggles its series', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await openDashboard(page);
    const row = page.locator('.chart[data-chart="cpu"] .u-legend .u-series[data-series]').first();
    await row.click();
    expect(await row.getAttribute('class')).toContain('u-off');
    await row.click();
    expect(await row.getAttribute('class')).not.toContain('u-off');
    await page.close();
  });
});

/** `YYYY-MM-DD hh:mm:ss` read as if it were UTC, in epoch milliseconds. */
const asUtc = (text: string): number => Date.parse(`${text.replace(' UTC', '').replace(' ', 'T')}Z`);

describe('the time range', () => {
  it('a preset changes the URL and the data asked for; a drag zooms in; Back returns', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await openDashboard(page);
    expect(new URL(page.url()).searchParams.get('from')).toBe('-1h');
    const hour = (await page.getAttribute('body', 'data-range'))!.split('-').map(Number);
    expect(hour[1]! - hour[0]!).toBe(3_600_000);

    const asked = page.waitForRequest((request) => request.url().includes('/api/range'));
    await page.selectOption('#range', '-6h');
    await page.waitForURL((url) => url.searchParams.get('from') === '-6h');
    const from = Number(new URL((await asked).url()).searchParams.get('from'));
    const to = Number(new URL((await asked).url()).searchParams.get('to'));
    expect(to - from).toBe(6 * 3_600_000);
    const spanShown = async (): Promise<number> => {
      const [a, b] = ((await page.getAttribute('body', 'data-range')) ?? '').split('-').map(Number);
      return b! - a!;
    };
    await expect.poll(spanShown).toBe(6 * 3_600_000);

    // Dragging across the right half of the CPU chart zooms to that part of the range.
    const over = page.locator('.chart[data-chart="cpu"] .u-over');
    const box = (await over.boundingBox())!;
    const rangeAsked = (request: Request): Span => {
      const query = new URL(request.url()).searchParams;
      return { from: Number(query.get('from')), to: Number(query.get('to')) };
    };
    const zoomAsked = page.waitForRequest((request) => {
      if (!request.url().includes('/api/range')) return false;
      const { from: a, to: b } = rangeAsked(request);
      return b - a < 6 * 3_600_000;
    });
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.9, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    await page.waitForURL((url) => /^\d+$/.test(url.searchParams.get('from') ?? ''));
    const zoomed = new URL(page.url()).searchParams;
    const span = Number(zoomed.get('to')) - Number(zoomed.get('from'));
    expect(span).toBeGreaterThan(0);
    expect(span).toBeLessThan(6 * 3_600_000 * 0.5);
    expect(await page.inputValue('#range')).toBe('custom');
    // The data asked for again: exactly the range the URL now names.
    expect(rangeAsked(await zoomAsked)).toEqual({
      from: Number(zoomed.get('from')),
      to: Number(zoomed.get('to')),
    });
    await page.screenshot({ path: `${ARTIFACTS}web-dashboard-zoomed.png` });
    await page.goBack();
    await page.waitForURL((url) => url.searchParams.get('from') === '-6h');
    await page.close();
  });

  it("shows times in the viewer's zone, UTC on hover", async () => {
    const context = await browser.newContext({
      timezoneId: 'Asia/Kolkata',
      viewport: { width: 1200, height: 800 },
    });
    const page = await context.newPage();
    await openDashboard(page, '?from=-15m&to=now&refresh=off');
    const shown = page.locator('#range-shown');
    const local = (await shown.textContent())!.split(' – ')[0]!;
    const utc = (await shown.getAttribute('title'))!.split(' – ')[0]!;
    // India is 5 h 30 min ahead of UTC all year.
    expect(asUtc(local) - asUtc(utc)).toBe(5.5 * 3_600_000);
    await context.close();
  });

  it('auto-refresh asks for the data again', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    await openDashboard(page, '?from=-15m&to=now&refresh=10s');
    await page.waitForRequest((request) => request.url().includes('/api/range'), { timeout: 30_000 });
    await page.close();
  });
});

describe('the header', () => {
  it('logs out with the button in the header', async () => {
    const page = await browser.newPage();
    await page.goto(`${web.base}/alarms`);
    await page.click('header form.logout button');
    await page.waitForURL((url) => url.pathname === '/login');
    await page.close();
  });
});
