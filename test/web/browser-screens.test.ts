/**
 * Every page (login, overview, a source's dashboard with its other charts opened, alarms, broker,
 * a 404) on a 360 px phone and on a desktop, in the light and the dark colour scheme, in headless
 * Chromium over a real busbar with its host agent on: no page is wider than the screen, the colour
 * scheme is followed (background, text, and the charts' axes), and each is kept as a screenshot in
 * test-artifacts/ (web-<page>-<phone|desktop>-<light|dark>.png).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, launchChromium, paintedPixels } from './chromium.js';
import { startHostBusbar } from './host-busbar.js';
import { ADMIN, type WebBusbar } from './web-fixture.js';

let web: WebBusbar;
let browser: Browser;
let host = '';

beforeAll(async () => {
  ({ web, host } = await startHostBusbar());
  // A firing alarm of the host, as the alarms component publishes it, so the alarms page has a row.
  const alarm = {
    rule: 'disk_full',
    series: `${host}.disk.used_percent{path=/}`,
    state: 'firing',
    severity: 'critical',
    labels: { path: '/', source: host, measurement: 'disk', field: 'used_percent' },
    summary: `disk / of ${host} is 97 % full`,
    since: new Date().toISOString(),
  };
  await web.busbar.running.bus.publish(`busbar/alarms/disk_full/${host}`, JSON.stringify(alarm), {
    qos: 1,
    retain: true,
  });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await web?.stop();
});

interface Screen {
  readonly name: string;
  readonly path: () => string;
  /** Waits until the page shows what it is for. */
  readonly ready: (page: Page) => Promise<unknown>;
}

const SCREENS: readonly Screen[] = [
  { name: 'login', path: () => '/login', ready: (page) => page.waitForSelector('form#login') },
  {
    name: 'overview',
    path: () => '/',
    ready: (page) => page.waitForSelector('body[data-overview-ready] tr[data-source]'),
  },
  {
    name: 'source',
    path: () => `/source/${encodeURIComponent(host)}?from=-15m&to=now&refresh=off`,
    ready: (page) => page.waitForSelector('body[data-charts-ready]'),
  },
  {
    // The charts of every other field, and every series behind a "more" button, shown.
    name: 'charts',
    path: () => `/source/${encodeURIComponent(host)}?from=-15m&to=now&refresh=off`,
    ready: async (page) => {
      await page.waitForSelector('body[data-charts-ready]');
      await page.locator('#others > summary').click();
      // A pressed button goes away.
      const more = page.locator('button.more');
      while ((await more.count()) > 0) await more.first().click();
    },
  },
  {
    name: 'alarms',
    path: () => '/alarms',
    ready: (page) => page.waitForSelector('body[data-live="open"] tr[data-alarm]'),
  },
  { name: 'broker', path: () => '/broker', ready: (page) => page.waitForSelector('td[data-stat="version"]') },
  { name: 'missing', path: () => '/source/nosuch', ready: (page) => page.waitForSelector('main p') },
];

/** Red + green + blue of a computed CSS colour (`rgb(r, g, b)`): 0 black to 765 white. */
async function brightness(page: Page, expression: string): Promise<number> {
  const colour = (await page.evaluate(expression)) as string;
  const [r, g, b] = colour.match(/\d+/g)!.map(Number);
  return r! + g! + b!;
}

/** The RGB of a stylesheet colour variable, as the browser computes it. */
async function cssRgb(page: Page, name: string): Promise<[number, number, number]> {
  const colour = (await page.evaluate(`(() => {
    const probe = document.createElement('span');
    probe.style.color = 'var(${name})';
    document.body.append(probe);
    const colour = getComputedStyle(probe).color;
    probe.remove();
    return colour;
  })()`)) as string;
  return colour.match(/\d+/g)!.slice(0, 3).map(Number) as [number, number, number];
}

const VIEWPORTS = { phone: { width: 360, height: 740 }, desktop: { width: 1366, height: 900 } };

describe('every page on a phone and a desktop, light and dark', () => {
  for (const [device, viewport] of Object.entries(VIEWPORTS))
    for (const scheme of ['light', 'dark'] as const)
      it(`${device}, ${scheme}: fits the screen, follows the scheme, and is kept as a screenshot`, async () => {
        // Not isMobile: a mobile layout viewport grows to fit a page too wide, which would hide the fault.
        const context = await browser.newContext({ viewport, colorScheme: scheme });
        // A user who may write: the write-only parts (the silence form, kick buttons) are shown too.
        expect((await context.request.post(`${web.base}/login`, { form: ADMIN })).status()).toBe(200);
        const page = await context.newPage();
        for (const screen of SCREENS) {
          await page.goto(`${web.base}${screen.path()}`);
          await screen.ready(page);
          const [scroll, inner] = (await page.evaluate(
            '[document.documentElement.scrollWidth, window.innerWidth]',
          )) as [number, number];
          expect(inner).toBe(viewport.width);
          expect(scroll, `${screen.name}: ${scroll} px wide on a ${inner} px screen`).toBeLessThanOrEqual(
            inner,
          );
          const background = await brightness(page, 'getComputedStyle(document.body).backgroundColor');
          const text = await brightness(page, 'getComputedStyle(document.body).color');
          if (scheme === 'dark') {
            expect(background, `${screen.name} background`).toBeLessThan(3 * 64);
            expect(text, `${screen.name} text`).toBeGreaterThan(3 * 180);
          } else {
            expect(background, `${screen.name} background`).toBeGreaterThan(3 * 230);
            expect(text, `${screen.name} text`).toBeLessThan(3 * 80);
          }
          if (screen.name === 'source') {
            // The axes' labels are drawn in the page's text colour, readable on either background.
            const axes = await paintedPixels(page.locator('.chart canvas'), await cssRgb(page, '--fg'));
            for (const painted of axes) expect(painted, 'axis label pixels').toBeGreaterThan(50);
          }
          await page.screenshot({
            path: `${ARTIFACTS}web-${screen.name}-${device}-${scheme}.png`,
            fullPage: true,
          });
        }
        await context.close();
        // Seven pages, each waited for and photographed whole: longer than one page's test.
      }, 180_000);
});
