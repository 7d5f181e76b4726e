/**
 * Failover during an outage: while the SMTP server is down the route's failover target (a webhook)
 * gets the alarm; once the server is back the next alarm goes to it, the primary, again, and the
 * first is not sent to it a second time: delivered by the failover, it is done.
 */
import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/mqtt-clients.js';
import { about, notifyRoute, outageTest, subjects } from './outage-harness.js';

const outage = outageTest();

describe('failover during an outage', () => {
  it('sends to the failover while the primary is down, and to the primary alone once it is back', async () => {
    const receivers = await outage.receivers();
    const { smtp, hook } = receivers;
    const running = await outage.busbar({
      routes: [notifyRoute('mail', ['email:ops'], ['webhook:backup'])],
      delivery: { retries: 2 },
    });
    const hooked = (): string[] => hook.requests.map((request) => String(request.body.title));
    await smtp.pause();

    await running.publish('boiler', 90);
    await waitFor(() => about(hooked(), 'boiler') === 1, 'the alarm at the failover webhook', 10_000);
    await waitFor(() => running.stats('notifiers')?.failedOver === 1, 'the failover counted', 10_000);
    expect(receivers.mails).toHaveLength(0);

    await smtp.resume();
    await running.publish('marker', 90);
    await waitFor(() => about(subjects(receivers), 'marker') === 1, 'the marker by mail', 15_000);
    // The primary got the marker and nothing else; the failover the first alarm and nothing else.
    expect(
      subjects(receivers).map((subject) => [about([subject], 'boiler'), about([subject], 'marker')]),
    ).toEqual([[0, 1]]);
    expect(hooked().map((title) => about([title], 'boiler'))).toEqual([1]);
    expect(running.stats('notifiers')).toMatchObject({ dead: 0 });
  }, 60_000);

  it('does not keep a notification waiting behind one that has no failover, on a target that is down', async () => {
    const receivers = await outage.receivers();
    const { smtp, hook } = receivers;
    const running = await outage.busbar({
      // Both routes take each notification; `solo`'s copy heads the SMTP queue and has nowhere else to go.
      routes: [notifyRoute('solo', ['email:ops']), notifyRoute('mail', ['email:ops'], ['webhook:backup'])],
      delivery: { retries: 2 },
    });
    await smtp.pause();

    await running.publish('boiler', 90);
    await waitFor(() => hook.requests.length === 1, "mail's copy at the failover while SMTP is down", 10_000);
    expect(hook.requests[0]!.body).toMatchObject({ route: 'mail' });
    expect(receivers.mails).toHaveLength(0);

    await smtp.resume();
    await waitFor(() => receivers.mails.length === 1, "solo's copy by mail", 15_000);
    await running.publish('marker', 90);
    await waitFor(
      () => about(subjects(receivers), 'marker') === 2,
      'the marker by mail, from both routes',
      15_000,
    );
    expect(subjects(receivers).map((subject) => about([subject], 'boiler'))).toEqual([1, 0, 0]);
    expect(hook.requests).toHaveLength(1);
  }, 60_000);
});
