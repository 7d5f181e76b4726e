/**
 * The broker page in headless Chromium: a connected MQTT client appears in the client list and goes
 * when it disconnects, without a reload; its message counts and publish rate follow what it
 * publishes and receives; the messages-per-second chart draws the rate derived from the broker's
 * counters while the client publishes.
 */
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Clients, closed } from '../helpers/mqtt-clients.js';
import { ARTIFACTS, launchChromium, paintedPixels } from './chromium.js';
import { ADMIN, startWebBusbar, webUsers, type WebBusbar } from './web-fixture.js';

let web: WebBusbar;
let browser: Browser;
const clients = new Clients();

beforeAll(async () => {
  const users = await webUsers();
  web = await startWebBusbar({
    ...users,
    // Statistics five times a second, so the chart gets its points within the test.
    broker: { ...users.broker, sysInterval: '200ms' },
    agent: { enabled: false },
  });
  browser = await launchChromium();
});

afterEach(async () => {
  await clients.closeAll();
});

afterAll(async () => {
  await browser?.close();
  await web?.stop();
});

/** The colours of the received and sent lines on the chart (broker-js.ts). */
const RECEIVED_RGB = [0x1f, 0x77, 0xb4] as const;
const SENT_RGB = [0xd6, 0x27, 0x28] as const;

describe('broker page in headless Chromium', () => {
  it('lists a connected MQTT client live and draws messages per second', async () => {
    const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
    await page.goto(`${web.base}/broker`);
    await page.waitForSelector('body[data-live="open"]');

    const sensor = await clients.connect(web.busbar.url, {
      clientId: 'page-test-sensor',
      username: ADMIN.username,
      password: ADMIN.password,
    });
    // Not to what it publishes: the received rate then differs from the sent one (near 0).
    await sensor.subscribeAsync('page-test/commands/#');
    const row = page.locator('tr[data-client="page-test-sensor"]');
    await row.waitFor();
    await expect.poll(() => row.locator('td').nth(6).textContent(), { timeout: 10_000 }).toBe('1');
    const cells = await row.locator('td').allTextContents();
    expect(cells.slice(0, 5)).toEqual([
      'page-test-sensor',
      ADMIN.username,
      expect.stringMatching(/127\.0\.0\.1$/),
      'MQTT 3.1.1',
      expect.stringMatching(/^tcp 127\.0\.0\.1:\d+$/),
    ]);
    expect(await page.content()).not.toContain(ADMIN.password);
    const field = (name: string): Promise<string | null> =>
      row.locator(`td[data-field="${name}"]`).textContent();
    expect(await field('published')).toBe('0');
    expect(await page.locator('#clients').locator('..').locator('thead th').allTextContents()).toEqual([
      'client id',
      'username',
      'remote address',
      'protocol',
      'listener',
      'connected since',
      'subscriptions',
      'published',
      'delivered',
      'published /s',
      'delivered /s',
      'queued',
      'queued bytes',
      'peak queued',
      'dropped',
    ]);
    // Anonymous on loopback reads only: no kick buttons.
    expect(await page.locator('button.kick').count()).toBe(0);
    expect(await field('queuedMessages')).toBe('0');

    // Counts change live, without a connect or subscribe: the list is republished as they change.
    const commander = await clients.connect(web.busbar.url, {
      clientId: 'page-test-commander',
      username: ADMIN.username,
      password: ADMIN.password,
    });
    for (let i = 0; i < 25; i++) await sensor.publishAsync('page-test/counted', String(i), { qos: 1 });
    for (let i = 0; i < 3; i++) await commander.publishAsync('page-test/commands/light', 'on', { qos: 1 });
    await expect.poll(() => field('published'), { timeout: 10_000 }).toBe('25');
    await expect.poll(() => field('delivered'), { timeout: 10_000 }).toBe('3');
    await expect
      .poll(async () => Number(await field('publishedPerSecond')), { timeout: 10_000 })
      .toBeGreaterThan(0);
    // Rates move: the receive rate rises with the commands and falls back to 0 once they stop.
    for (let i = 0; i < 20; i++) await commander.publishAsync('page-test/commands/light', 'on', { qos: 1 });
    await expect
      .poll(async () => Number(await field('deliveredPerSecond')), { timeout: 10_000 })
      .toBeGreaterThan(0);
    await expect.poll(() => field('deliveredPerSecond'), { timeout: 15_000 }).toBe('0');
    expect(await page.textContent('#clients-summary')).toBe('2 clients');
    const commanderRow = page.locator('tr[data-client="page-test-commander"]');
    await expect
      .poll(() => commanderRow.locator('td[data-field="published"]').textContent(), { timeout: 10_000 })
      .toBe('23');

    // Publish steadily until the chart has a few rates; received/s must show them.
    const publishing = setInterval(() => {
      for (let i = 0; i < 10; i++) void sensor.publishAsync('page-test/load', String(i));
    }, 20);
    try {
      await page.waitForFunction('Number(document.body.getAttribute("data-rate-samples")) >= 4', undefined, {
        timeout: 15_000,
      });
      await expect
        .poll(
          async () => Number(/received: ([\d.]+)/.exec((await page.textContent('#rate-latest')) ?? '')?.[1]),
          { timeout: 10_000 },
        )
        .toBeGreaterThan(10);
    } finally {
      clearInterval(publishing);
    }
    const [received] = await paintedPixels(page.locator('#rate-chart canvas'), RECEIVED_RGB);
    const [sent] = await paintedPixels(page.locator('#rate-chart canvas'), SENT_RGB);
    expect(received).toBeGreaterThan(50);
    expect(sent).toBeGreaterThan(50);
    await page.screenshot({ path: `${ARTIFACTS}web-broker-clients.png`, fullPage: true });

    await sensor.endAsync();
    await row.waitFor({ state: 'detached' });
    await page.close();
  });

  it('kicks a client with its button, opens with the past rates, and browses retained messages', async () => {
    const victim = await clients.connect(web.busbar.url, {
      clientId: 'page-kick-me',
      username: ADMIN.username,
      password: ADMIN.password,
    });
    const gone = closed(victim, 15_000);
    for (let i = 0; i < 60; i++)
      await victim.publishAsync(`page-retained/device${String(i).padStart(2, '0')}`, `state ${i}`, {
        qos: 1,
        retain: true,
      });
    // Rates timed by the server since it started: a page opening now draws them at once.
    await expect
      .poll(
        async () =>
          ((await (await fetch(`${web.base}/api/broker/rates`)).json()) as { at: number[] }).at.length,
        {
          timeout: 10_000,
        },
      )
      .toBeGreaterThanOrEqual(3);
    // Logged in as a user with the write role: the page shows kick buttons.
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    expect((await context.request.post(`${web.base}/login`, { form: ADMIN })).status()).toBe(200);
    const page = await context.newPage();
    page.on('dialog', (dialog) => void dialog.accept());
    await page.goto(`${web.base}/broker`);
    await page.waitForFunction('Number(document.body.getAttribute("data-rate-samples")) >= 3', undefined, {
      timeout: 5_000,
    });

    const row = page.locator('tr[data-client="page-kick-me"]');
    await row.locator('button.kick').click();
    await gone;
    await row.waitFor({ state: 'detached' });
    expect(await page.textContent('#kick-error')).toBe('');

    await page.fill('#retained-prefix', 'page-retained');
    await page.click('#retained-form button[type="submit"]');
    await expect
      .poll(() => page.textContent('#retained-summary'), { timeout: 10_000 })
      .toBe('50 of 60 retained topics under page-retained/#');
    expect(await page.locator('#retained tr').count()).toBe(50);
    expect(await page.locator('#retained tr').first().locator('td').allTextContents()).toEqual([
      'page-retained/device00',
      '7',
      'state 0',
    ]);
    await page.click('#retained-next');
    await expect
      .poll(() => page.textContent('#retained-summary'), { timeout: 10_000 })
      .toBe('60 of 60 retained topics under page-retained/#');
    expect(await page.locator('#retained-next').isHidden()).toBe(true);
    await page.screenshot({ path: `${ARTIFACTS}web-broker-retained.png`, fullPage: true });
    await context.close();
  });
});
