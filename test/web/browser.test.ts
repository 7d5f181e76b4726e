/**
 * The pages in a real headless Chromium (Debian's, driven by playwright-core): charts are drawn, a
 * value published on the bus appears without a reload, and screenshots are kept in test-artifacts/.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, launchChromium, paintedPixels } from './chromium.js';
import { ADMIN, basic, startWebBusbar, webUsers, type WebBusbar } from './web-fixture.js';

let web: WebBusbar;
let browser: Browser;

beforeAll(async () => {
  web = await startWebBusbar({
    ...(await webUsers()),
    agent: { enabled: false },
    sinks: { history: { flushInterval: '20ms' } },
    // The alarm below is published as the alarms component would; the component itself stays off
    // so it cannot clear or replace that state (its own tests are in browser-alarms.test.ts).
    alarms: { enabled: false },
  });
  // Half an hour of one machine's vital signs, a point a minute, and its status.
  const now = Date.now();
  const lines: string[] = [];
  for (let i = 30; i >= 1; i--) {
    const ns = BigInt(now - i * 60_000) * 1_000_000n;
    lines.push(
      `cpu,host=web1,cpu=cpu-total usage_active=${20 + (i % 7) * 5},usage_user=${10 + (i % 5)} ${ns}`,
      `mem,host=web1 used_percent=${50 + (i % 3)} ${ns}`,
      `disk,host=web1,path=/ used_percent=71.5 ${ns}`,
      `net,host=web1,interface=eth0 bytes_recv=${i * 1000}i ${ns}`,
    );
  }
  // Anonymous loopback requests are read-only (the browser's), so the test writes as a broker user.
  const write = await fetch(`${web.base}/api/v2/write`, {
    method: 'POST',
    headers: basic(ADMIN),
    body: lines.join('\n'),
  });
  expect(write.status).toBe(204);
  await web.busbar.running.bus.publish('busbar/status/web1', 'online', { qos: 1, retain: true });
  // An alarm as the alarms component publishes it (retained JSON state); the web only reads the topic.
  const alarm = {
    rule: 'disk_full',
    series: 'web1.disk.used_percent{host=web1,path=/}',
    state: 'firing',
    severity: 'critical',
    labels: { host: 'web1', path: '/', source: 'web1', measurement: 'disk', field: 'used_percent' },
    summary: 'disk / of web1 is 71.5 % full',
    since: new Date().toISOString(),
  };
  await web.busbar.running.bus.publish('busbar/alarms/disk_full/web1', JSON.stringify(alarm), {
    qos: 1,
    retain: true,
  });
  for (let i = 0; i < 200; i++) {
    const latest = (await (await fetch(`${web.base}/api/latest?pattern=web1/*`)).json()) as unknown[];
    if (latest.length === 5) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await web?.stop();
});

describe('pages in headless Chromium', () => {
  it('the overview lists the source online with its key gauges', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 600 } });
    await page.goto(`${web.base}/`);
    const row = page.locator('tr[data-source="web1"]');
    await row.waitFor();
    expect(await row.locator('td.online').textContent()).toBe('online');
    expect(await row.locator('td[data-gauge="disk"]').textContent()).toBe('71.5');
    expect(await row.locator('td[data-alarms]').textContent()).toBe('1 firing');
    // A sparkline of the last hour beside each gauge with data: 30 points a minute apart.
    await page.waitForSelector('body[data-overview-ready]');
    // (Up to 60 points: raw, or in buckets when the store chooses them.)
    expect(
      Number(await row.locator('td[data-gauge="cpu"] svg.sparkline').getAttribute('data-points')),
    ).toBeGreaterThanOrEqual(10);
    expect(await row.locator('td[data-gauge="load1"] svg.sparkline').count()).toBe(0);
    await page.screenshot({ path: `${ARTIFACTS}web-overview.png`, fullPage: true });

    // The alarm count links to the chart of the alarm's series, over the time around it.
    await row.locator('td[data-alarms] a').click();
    await page.waitForSelector('body[data-charts-ready]');
    const url = new URL(page.url());
    expect(url.pathname).toBe('/source/web1');
    expect(Number(url.searchParams.get('from'))).toBeLessThan(Date.now() - 30 * 60_000);
    expect(url.searchParams.get('to')).toBe('now');
    const target = page.locator('.chart.target');
    expect(await target.getAttribute('data-target-series')).toBe('web1/disk/used_percent{host=web1,path=/}');
    await page.goBack();

    // Filtered by name or status, sorted by the column pressed.
    await web.busbar.running.bus.publish('busbar/status/web2', 'offline', { qos: 1, retain: true });
    await page.reload();
    await page.locator('tr[data-source="web2"]').waitFor();
    const visible = () =>
      page
        .locator('tr[data-source]:visible')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-source')));
    expect(await visible()).toEqual(['web1', 'web2']);
    await page.fill('#filter', 'offline');
    expect(await visible()).toEqual(['web2']);
    await page.fill('#filter', '');
    await page.click('button.sort[data-column="0"]');
    expect(await visible()).toEqual(['web2', 'web1']);
    await page.close();
  });

  it("a source's page draws a chart per measurement and shows a published value live", async () => {
    const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
    await page.goto(`${web.base}/source/web1`);
    await page.waitForSelector('body[data-charts-ready="5"]');
    await page.waitForSelector('body[data-live="open"]');
    // The dashboard's CPU and disk charts, then each other field grouped by measurement and unit.
    const charts = await page
      .locator('.chart')
      .evaluateAll((boxes) =>
        boxes.map((box) => `${box.getAttribute('data-chart')} ${box.getAttribute('data-unit')}`),
      );
    expect(charts).toEqual(['cpu %', 'disk %', 'cpu:% %', 'mem:% %', 'net:bytes bytes']);
    await page.locator('#others > summary').click();
    // uPlot draws on a canvas: it exists, has a size, and holds non-blank pixels.
    const drawn = await paintedPixels(page.locator('.chart canvas'));
    expect(drawn).toHaveLength(5);
    for (const painted of drawn) expect(painted).toBeGreaterThan(100);
    await page.screenshot({ path: `${ARTIFACTS}web-source-before.png`, fullPage: true });

    // The legend shows each series' newest value with its unit, and live values extend the chart.
    const memLatest = page.locator('[data-series="web1/mem/used_percent{host=web1}"] .u-value');
    expect(await memLatest.textContent()).toMatch(/^5[0-2] %$/);
    await web.busbar.running.bus.publish('busbar/metrics/web1/mem', 'mem,host=web1 used_percent=93.25', {
      qos: 1,
    });
    await expect.poll(() => memLatest.textContent(), { timeout: 10_000 }).toBe('93.3 %');
    await page.screenshot({ path: `${ARTIFACTS}web-source-live.png`, fullPage: true });
    await page.close();
  });

  it('sends a browser without credentials to the login form, and back after logging in', async () => {
    const closed = await startWebBusbar(
      { ...(await webUsers()), agent: { enabled: false } },
      { allowAnonymous: false },
    );
    try {
      // web1 has a page once busbar knows it (here by its status).
      await closed.busbar.running.bus.publish('busbar/status/web1', 'online', { qos: 1, retain: true });
      for (;;) {
        const status = await fetch(`${closed.base}/api/status`, { headers: basic(ADMIN) });
        if ('web1' in ((await status.json()) as object)) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const page = await browser.newPage();
      await page.goto(`${closed.base}/source/web1`);
      expect(new URL(page.url()).pathname).toBe('/login');
      await page.fill('input[name=username]', ADMIN.username);
      await page.fill('input[name=password]', 'wrong');
      await page.click('button[type=submit]');
      await page.locator('#error', { hasText: 'Wrong username or password.' }).waitFor();
      await page.fill('input[name=password]', ADMIN.password);
      await page.click('button[type=submit]');
      await page.waitForURL(`${closed.base}/source/web1`);
      await page.waitForSelector('body[data-live="open"]');
      await page.screenshot({ path: `${ARTIFACTS}web-after-login.png` });
      await page.close();

      // Guessing is slowed, not locked out: after more wrong passwords from this address, the right
      // one still logs in. And `next` never leads off this server, however a browser reads it.
      const guesser = await browser.newPage();
      await guesser.goto(`${closed.base}/login?next=${encodeURIComponent('/\\evil.example/x')}`);
      await guesser.fill('input[name=username]', ADMIN.username);
      for (let i = 0; i < 3; i++) {
        await guesser.fill('input[name=password]', `guess-${i}`);
        const answered = guesser.waitForResponse((response) => response.url().endsWith('/login'));
        await guesser.click('button[type=submit]');
        expect((await answered).status()).toBe(401);
      }
      await guesser.fill('input[name=password]', ADMIN.password);
      await guesser.click('button[type=submit]');
      await guesser.waitForURL(`${closed.base}/`);
      await guesser.close();
    } finally {
      await closed.stop();
    }
  });

  it('the alarms page lists alarm states from busbar/alarms/#, and the broker page its statistics', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 500 } });
    await page.goto(`${web.base}/alarms`);
    const alarm = page.locator('tr[data-alarm="disk_full/web1.disk.used_percent{host=web1,path=/}"]');
    await alarm.waitFor();
    expect(await alarm.locator('td').allTextContents()).toEqual([
      'firing',
      'critical',
      'disk_full',
      'web1.disk.used_percent{host=web1,path=/}',
      'disk / of web1 is 71.5 % full',
      expect.stringMatching(/^\d{4}-/),
      '', // not silenced
      '', // not acknowledged
      '', // no Silence button: anonymous requests only read
    ]);
    // The series links to its chart around the alarm (alarm-link.js).
    expect(await alarm.locator('a').getAttribute('href')).toMatch(
      /^\/source\/web1\?from=\d+&to=now#series=web1%2Fdisk%2Fused_percent%7Bhost%3Dweb1%2Cpath%3D%2F%7D$/,
    );
    expect(await page.locator('#silence-form').isVisible()).toBe(false);
    expect(await page.locator('#silences').textContent()).toBe('no active silences');
    await page.screenshot({ path: `${ARTIFACTS}web-alarms.png`, fullPage: true });
    await page.goto(`${web.base}/broker`);
    const version = page.locator('td[data-stat="version"]');
    await version.waitFor();
    await expect.poll(() => version.textContent()).toMatch(/^busbar \d+\.\d+/);
    expect(
      Number(await page.locator('td[data-stat="clientsConnected"]').textContent()),
    ).toBeGreaterThanOrEqual(0);
    await page.screenshot({ path: `${ARTIFACTS}web-broker.png`, fullPage: true });
    await page.close();
  });
});
