/**
 * A source's page as a host dashboard, in headless Chromium over a real busbar with its host agent
 * on: one chart per concept with its unit, the machine's facts from its inventory, no series left
 * out without a "more" button, the range in the URL, and the page readable at 360 px and at night.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, launchChromium } from './chromium.js';
import { startWebBusbar, webUsers, type WebBusbar } from './web-fixture.js';

let web: WebBusbar;
let browser: Browser;
let host = '';

/** The measurements the dashboard needs before the page is worth opening. */
const NEEDED = ['cpu', 'mem', 'disk', 'net', 'system', 'processes', 'procstat'];

beforeAll(async () => {
  web = await startWebBusbar({
    ...(await webUsers()),
    agent: { interval: '500ms' },
    sinks: { history: { flushInterval: '20ms' } },
    alarms: { enabled: false },
  });
  // The agent's first rates need two readings; wait until every dashboard measurement is stored.
  for (;;) {
    const sources = (await (await fetch(`${web.base}/api/sources`)).json()) as { source: string }[];
    host = sources[0]?.source ?? '';
    if (host !== '') {
      const series = (await (
        await fetch(`${web.base}/api/series?pattern=${encodeURIComponent(`${host}/*`)}`)
      ).json()) as { measurement: string }[];
      const have = new Set(series.map((s) => s.measurement));
      if (NEEDED.every((m) => have.has(m))) break;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await web?.stop();
});

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

describe('on a phone and at night', () => {
  const pages = (): Record<string, string> => ({
    overview: '/',
    source: `/source/${encodeURIComponent(host)}`,
    alarms: '/alarms',
    broker: '/broker',
    login: '/login',
    missing: '/source/nosuch',
  });

  it('no page is wider than a 360 px screen', async () => {
    // Not isMobile: a mobile layout viewport grows to fit a page too wide, which would hide the fault.
    const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
    const page = await context.newPage();
    for (const [name, path] of Object.entries(pages())) {
      await page.goto(`${web.base}${path}`);
      if (name === 'source') await page.waitForSelector('body[data-charts-ready]');
      if (name === 'overview') await page.waitForSelector('tr[data-source]');
      if (name === 'broker') await page.waitForSelector('td[data-stat="version"]');
      const widths = await page.evaluate('[document.documentElement.scrollWidth, window.innerWidth]');
      const [scroll, inner] = widths as [number, number];
      expect(inner).toBe(360);
      expect(scroll, `${name}: page ${scroll} px wide on a ${inner} px screen`).toBeLessThanOrEqual(inner);
      await page.screenshot({ path: `${ARTIFACTS}web-phone-${name}.png`, fullPage: name !== 'source' });
    }
    await context.close();
  });

  it('follows prefers-color-scheme: dark', async () => {
    const context = await browser.newContext({ colorScheme: 'dark', viewport: { width: 1200, height: 900 } });
    const page = await context.newPage();
    for (const [name, path] of Object.entries(pages())) {
      await page.goto(`${web.base}${path}`);
      if (name === 'source') await page.waitForSelector('body[data-charts-ready]');
      const background = (await page.evaluate('getComputedStyle(document.body).backgroundColor')) as string;
      const [r, g, b] = background.match(/\d+/g)!.map(Number);
      expect(r! + g! + b!, `${name}: ${background}`).toBeLessThan(3 * 64);
    }
    await page.goto(`${web.base}/source/${encodeURIComponent(host)}`);
    await page.waitForSelector('body[data-charts-ready]');
    await page.screenshot({ path: `${ARTIFACTS}web-dashboard-dark.png` });
    await context.close();
  });

  it('logs out with the button in the header', async () => {
    const page = await browser.newPage();
    await page.goto(`${web.base}/alarms`);
    await page.click('header form.logout button');
    await page.waitForURL((url) => url.pathname === '/login');
    await page.close();
  });
});
