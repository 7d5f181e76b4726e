/**
 * The end of the line: a notification no target took within `maxAge` is dead, and visibly so:
 * republished on busbar/deadletter/notification, counted on busbar/stats/notifiers, logged once, and
 * raised as the notification_dead alarm, which another route carries. A route never carries the
 * alarm about its own dead notifications, so a dead route cannot feed itself.
 *
 * The alarms send a group whose message died again at its next group interval (as Alertmanager
 * retries a failed notification at the next group_interval); these tests count deaths, so that
 * interval is longer than they run and each alarm dies once.
 */
import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/mqtt-clients.js';
import { notifyRoute, outageTest } from './outage-harness.js';

const outage = outageTest();

const DEAD_ALARM = 'busbar/alarms/notification_dead/';
/** Longer than a test runs: a dead group message is not sent again during it. */
const NO_RESEND = '1h';

describe('a notification older than maxAge', () => {
  it('is dead-lettered, counted, logged once and raised as an alarm another route carries', async () => {
    const receivers = await outage.receivers();
    const { smtp, hook } = receivers;
    const running = await outage.busbar({
      routes: [
        notifyRoute('mail', ['email:ops']),
        {
          name: 'watch',
          topic: `${DEAD_ALARM}+`,
          title: '{payload.rule}',
          message: '{payload.summary}',
          targets: ['webhook:backup'],
        },
      ],
      delivery: { maxAge: '1s' },
      groupInterval: NO_RESEND,
    });
    await smtp.pause();
    await running.publish('boiler', 90);

    await waitFor(() => running.stats('notifiers')?.dead === 1, 'the dead notification counted', 10_000);
    const letters = running.seen.filter((message) => message.topic === 'busbar/deadletter/notification');
    expect(letters).toHaveLength(1);
    const letter = JSON.parse(letters[0]!.payload) as Record<string, unknown>;
    expect(letter).toMatchObject({
      route: 'mail',
      targets: ['email:ops'],
      topic: expect.stringMatching(/^busbar\/notify\//),
    });
    expect(String(letter.reason)).toContain('maxAge');
    expect(letter.payload).toMatchObject({ status: 'firing', summary: expect.stringContaining('boiler') });

    const alarm = running.seen.find((message) => message.topic === `${DEAD_ALARM}mail`);
    expect(alarm?.retain).toBe(false); // live, so routes take it (a retained copy is state, not news)
    expect(JSON.parse(alarm!.payload)).toMatchObject({
      rule: 'notification_dead',
      state: 'firing',
      labels: { route: 'mail' },
    });
    await waitFor(() => hook.requests.length === 1, 'the dead alarm at the watch route');
    expect(hook.requests[0]!.body).toMatchObject({ route: 'watch', title: 'notification_dead' });
    expect(running.busbar.log.find('notification dead')).toHaveLength(1);
    // The group was never told: its message died.
    await waitFor(() => running.stats('alarms')?.dead === 1, 'the dead receipt');
    expect(running.stats('alarms')).toMatchObject({ delivered: 0 });

    // Back up, the route delivers again, and its alarm resolves.
    await smtp.resume();
    await running.publish('marker', 90);
    await waitFor(() => receivers.mails.length === 1, 'the marker by mail', 10_000);
    await waitFor(
      () =>
        running.seen.some(
          (message) => message.topic === `${DEAD_ALARM}mail` && message.payload.includes('"resolved"'),
        ),
      'notification_dead resolved',
    );
  }, 60_000);

  it('does not let a route carry the alarm about its own dead notifications', async () => {
    const receivers = await outage.receivers();
    const running = await outage.busbar({
      routes: [{ name: 'all', topic: 'busbar/alarms/#', title: '{payload.summary}', targets: ['email:ops'] }],
      delivery: { maxAge: '500ms' },
      groupInterval: NO_RESEND,
    });
    await receivers.smtp.pause();
    await running.publish('boiler', 90);
    await waitFor(
      () => running.seen.some((message) => message.topic === `${DEAD_ALARM}all`),
      'the dead alarm',
      10_000,
    );
    // A marker dies after it: had the route taken its own dead alarm, that copy would have died first.
    await running.publish('marker', 90);
    await waitFor(() => running.busbar.log.find('notification dead').length === 2, 'the marker dead', 10_000);
    const dead = running.busbar.log.find('notification dead').map((line) => String(line.topic));
    expect(dead).toEqual(['busbar/alarms/hot/boiler.temp.celsius', 'busbar/alarms/hot/marker.temp.celsius']);
    expect(running.seen.filter((message) => message.topic === `${DEAD_ALARM}all`)).toHaveLength(1);
  }, 60_000);
});
