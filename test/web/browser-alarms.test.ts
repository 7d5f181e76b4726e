/**
 * Silencing from the alarms page in headless Chromium, against busbar's own alarms component: a
 * firing alarm is silenced with its Silence button, shown as silenced with the silence listed, then
 * the silence is removed; a free silence from the form does the same by label. Acknowledging with the
 * Ack button names the logged-in user on the page.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, launchChromium } from './chromium.js';
import { ADMIN, DISK_RULE, startWebBusbar, webUsers, type WebBusbar } from './web-fixture.js';

let web: WebBusbar;
let browser: Browser;
let context: BrowserContext;

beforeAll(async () => {
  web = await startWebBusbar({ ...(await webUsers()), agent: { enabled: false }, alarms: DISK_RULE });
  const { bus, topics } = web.busbar.running;
  // The alarms component may still be starting: the point is sent again until the alarm fires.
  for (;;) {
    await bus.publish(topics.metrics('web1', 'disk'), 'disk,host=web1,path=/ used_percent=97', { qos: 1 });
    const alarms = (await (await fetch(`${web.base}/api/alarms`)).json()) as { state: string }[];
    if (alarms.some((alarm) => alarm.state === 'firing')) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  browser = await launchChromium();
  // Anonymous loopback requests only read: the browser logs in as a user who may write.
  context = await browser.newContext({ viewport: { width: 1300, height: 800 } });
  const login = await context.request.post(`${web.base}/login`, { form: ADMIN });
  expect(login.status()).toBe(200);
});

afterAll(async () => {
  await browser?.close();
  await web?.stop();
});

async function openAlarms(): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${web.base}/alarms`);
  await page.waitForSelector('body[data-live="open"]');
  return page;
}

describe('silences on the alarms page', () => {
  it('silences a firing alarm with its button, marks it silenced, lists the silence, and removes it', async () => {
    const page = await openAlarms();
    const row = page.locator('tr[data-alarm^="disk_full/"]');
    const silenced = row.locator('td[data-silenced]');
    await row.locator('button[data-silence]').waitFor();
    expect(await row.locator('td').first().textContent()).toBe('firing');
    expect(await silenced.textContent()).toBe('');
    const series = (await row.locator('td').nth(3).textContent())!;
    expect(series).toContain('web1');

    await page.selectOption('#alarm-duration', '1h');
    const clicked = Date.now();
    await row.locator('button[data-silence]').click();
    await expect.poll(() => silenced.textContent(), { timeout: 10_000 }).toBe('silenced');
    expect(await row.getAttribute('class')).toBe('silenced');
    expect(await row.locator('button[data-silence]').count()).toBe(0);

    const listed = page.locator('#silences tr[data-silence-id]');
    await expect.poll(() => listed.count(), { timeout: 10_000 }).toBe(1);
    const cells = await listed.locator('td').allTextContents();
    expect(cells.slice(0, 4)).toEqual([
      `rule=disk_full, series=${series}`,
      expect.any(String),
      'admin',
      'from the alarms page',
    ]);
    const endsAt = Date.parse((await listed.locator('td').nth(1).getAttribute('title'))!);
    expect(endsAt - clicked).toBeGreaterThan(59 * 60_000);
    expect(endsAt - Date.now()).toBeLessThanOrEqual(60 * 60_000);
    expect(await silenced.getAttribute('title')).toBe(await listed.getAttribute('data-silence-id'));
    await page.screenshot({ path: `${ARTIFACTS}web-alarms-silenced.png`, fullPage: true });

    await listed.locator('button[data-remove]').click();
    await expect
      .poll(() => page.locator('#silences').textContent(), { timeout: 10_000 })
      .toBe('no active silences');
    await expect.poll(() => silenced.textContent(), { timeout: 10_000 }).toBe('');
    await row.locator('button[data-silence]').waitFor();
    expect(await page.locator('#silence-error').textContent()).toBe('');
    await page.close();
  });

  it('adds a free silence from the form, by label, and reports a refused one', async () => {
    const page = await openAlarms();
    const row = page.locator('tr[data-alarm^="disk_full/"]');
    await row.locator('button[data-silence]').waitFor();

    await page.fill('#silence-form textarea[name=matchers]', 'severity=crit*');
    await page.fill('#silence-form input[name=comment]', 'not a valid silence');
    await page.fill('#silence-form input[name=endsAt]', '2020-01-01T10:00');
    await page.click('#silence-form button[type=submit]');
    await expect
      .poll(() => page.locator('#silence-error').textContent(), { timeout: 10_000 })
      .toBe('endsAt: in the past');

    await page.fill('#silence-form input[name=endsAt]', '');
    await page.fill('#silence-form textarea[name=matchers]', 'source=web1\nseverity=crit*');
    await page.selectOption('#silence-duration', '30m');
    await page.fill('#silence-form input[name=comment]', 'maintenance window');
    await page.click('#silence-form button[type=submit]');
    const listed = page.locator('#silences tr[data-silence-id]');
    await expect.poll(() => listed.count(), { timeout: 10_000 }).toBe(1);
    expect((await listed.locator('td').allTextContents()).slice(0, 4)).toEqual([
      'source=web1, severity=crit*',
      expect.any(String),
      'admin',
      'maintenance window',
    ]);
    await expect
      .poll(() => row.locator('td[data-silenced]').textContent(), { timeout: 10_000 })
      .toBe('silenced');
    expect(await page.locator('#silence-error').textContent()).toBe('');
    await page.screenshot({ path: `${ARTIFACTS}web-alarms-free-silence.png`, fullPage: true });

    await listed.locator('button[data-remove]').click();
    await expect.poll(() => listed.count(), { timeout: 10_000 }).toBe(0);
    await expect.poll(() => row.locator('td[data-silenced]').textContent(), { timeout: 10_000 }).toBe('');
    await page.close();
  });
});

describe('acknowledgement on the alarms page', () => {
  it('acknowledges a firing alarm with its Ack button, with a comment, and shows who', async () => {
    const page = await openAlarms();
    const row = page.locator('tr[data-alarm^="disk_full/"]');
    const acked = row.locator('td[data-acked]');
    await row.locator('button[data-ack]').waitFor();
    expect(await acked.textContent()).toBe('');
    page.once('dialog', (dialog) => void dialog.accept('ordering a disk'));
    await row.locator('button[data-ack]').click();
    await expect.poll(() => acked.textContent(), { timeout: 10_000 }).toBe('web:admin: ordering a disk');
    expect(await row.locator('button[data-ack]').count()).toBe(0);
    expect(await page.locator('#silence-error').textContent()).toBe('');
    await page.screenshot({ path: `${ARTIFACTS}web-alarms-acked.png`, fullPage: true });
    await page.close();
  });
});
