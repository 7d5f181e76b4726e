/**
 * A restart in the middle of an outage: busbar stops while a notification is still pending, starts
 * again on the same data directory, and the notification reaches the SMTP server exactly once when
 * it is back; the alarm, restored from the state file, is not announced again.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DeliveryRecord } from '../../notifiers/router/delivery-record.js';
import { waitFor } from '../helpers/mqtt-clients.js';
import { tempDir } from '../helpers/process.js';
import { about, notifyRoute, outageTest, subjects } from './outage-harness.js';

const outage = outageTest();
let dir: Awaited<ReturnType<typeof tempDir>> | undefined;

afterEach(async () => {
  // This hook runs before the harness's own (hooks run in reverse order): stop the busbar that uses
  // the directory first, or removing it races with its last writes (seen: ENOTEMPTY under load).
  await outage.stopBusbar();
  await dir?.remove();
  dir = undefined;
});

describe('a restart while a notification is pending', () => {
  it('delivers it once after the restart, when the receiver is back', async () => {
    const receivers = await outage.receivers();
    dir = await tempDir('outage-restart');
    const setup = { routes: [notifyRoute('mail', ['email:ops'])], dataDir: dir.path };
    let running = await outage.busbar(setup);
    const retried = (): number =>
      (running.stats('notifiers')?.targets as Record<string, { retried: number }> | undefined)?.['email:ops']
        ?.retried ?? 0;
    await receivers.smtp.pause();
    await running.publish('boiler', 90);
    await waitFor(() => retried() >= 2, 'retries at the SMTP target', 10_000);
    await outage.stopBusbar();
    const record = new DeliveryRecord(`${dir.path}/notifications.db`);
    expect(record.counts()).toEqual({ pending: 1 });
    record.close();

    await receivers.smtp.resume();
    running = await outage.busbar(setup);
    await waitFor(() => about(subjects(receivers), 'boiler') === 1, 'the pending alarm by mail', 15_000);
    // The restored group was waiting for this receipt: told now, after the restart.
    await waitFor(() => running.stats('alarms')?.delivered === 1, 'the group told');
    await running.publish('marker', 90);
    await waitFor(() => about(subjects(receivers), 'marker') === 1, 'the marker by mail', 15_000);
    expect(subjects(receivers).map((subject) => about([subject], 'boiler'))).toEqual([1, 0]);
  }, 60_000);
});
