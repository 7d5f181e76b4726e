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
    agent: { interval: '500ms', processes: { names: true } },
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
