/**
 * The broker page says how many clients it shows of how many are connected when the broker listed
 * only its most active ones (broker/clients-publisher.ts caps the list at 1,000). Rather than
 * connect a thousand clients, the test publishes the broker's statistics document as the broker
 * would with a larger `clientsConnected` (the broker's own publication is an hour away).
 */
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Clients } from '../helpers/mqtt-clients.js';
import { launchChromium } from './chromium.js';
import { ADMIN, startWebBusbar, webUsers, type WebBusbar } from './web-fixture.js';

let web: WebBusbar;
let browser: Browser;
const clients = new Clients();

beforeAll(async () => {
  const users = await webUsers();
  web = await startWebBusbar({
    ...users,
    broker: { ...users.broker, sysInterval: '1h' },
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

describe('broker page with a capped client list', () => {
  it('says N of M clients when the list holds fewer than are connected', async () => {
    await clients.connect(web.busbar.url, {
      clientId: 'only-listed',
      username: ADMIN.username,
      password: ADMIN.password,
    });
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${web.base}/broker`);
    await page.locator('tr[data-client="only-listed"]').waitFor();
    await expect.poll(() => page.textContent('#clients-summary'), { timeout: 10_000 }).toBe('1 client');

    const stats = (await (await fetch(`${web.base}/api/stats`)).json()) as {
      broker: Record<string, unknown>;
    };
    await web.busbar.running.bus.publish(
      'busbar/stats/broker',
      JSON.stringify({ ...stats.broker, clientsConnected: 1500 }),
      { qos: 1, retain: true },
    );
    await expect
      .poll(() => page.textContent('#clients-summary'), { timeout: 10_000 })
      .toBe('1 of 1500 clients: the broker lists the most active ones');
    await page.close();
  });
});
