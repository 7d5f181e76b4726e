/**
 * The notification stage with a routing tree, on a controlled clock: routes muted by time intervals
 * read in a time zone, and acknowledged alarms left out of repeats.
 */
import { describe, expect, it } from 'vitest';
import { HOUR, MINUTE, StageDrive, T0 } from './dispatch-drive.js';

/** T0 is Monday 5 January 2026, 00:00 UTC: 01:00 in Paris. */
const ANN = { by: 'telegram:ann', at: '2026-12-07T03:10:00.000Z', comment: 'swapping the fan' };

const PARIS_OFFICE = {
  'office-hours': [
    { weekdays: ['monday:friday'], times: [{ start: '09:00', end: '17:00' }], location: 'Europe/Paris' },
  ],
};

describe('time intervals', () => {
  it('holds a route back outside its active interval and during its mute interval, then tells it', () => {
    const drive = new StageDrive({
      notify: { groupWait: '0s', groupInterval: '1m', repeatInterval: '1d' },
      timeIntervals: PARIS_OFFICE,
      routes: [
        {
          name: 'desk',
          matchers: { rule: 'disk' },
          activeTimeIntervals: ['office-hours'],
          continue: true,
          targets: ['log:x'],
        },
        {
          name: 'pager',
          matchers: { rule: 'disk' },
          muteTimeIntervals: ['office-hours'],
          targets: ['log:x'],
        },
      ],
    });
    drive.change('disk', 'web1', 'firing'); // 01:00 in Paris: outside office hours
    expect(drive.lines()).toEqual(['new firing: disk@web1:firing → pager']);
    drive.advance(7 * HOUR, MINUTE); // 08:00 in Paris: still muted
    expect(drive.sent).toHaveLength(1);
    drive.advance(HOUR, MINUTE); // 08:00 UTC: 09:00 in Paris
    expect(drive.lines()).toEqual([
      'new firing: disk@web1:firing → pager',
      'new firing: disk@web1:firing → desk',
    ]);
    expect(drive.sent[1]?.time).toBe(new Date(T0 + 8 * HOUR).toISOString());
    expect(drive.stage.stats.muted).toBe(1); // one hold, however often it was looked at

    drive.change('disk', 'web2', 'firing'); // in office hours: the desk is told, the pager not
    drive.advance(MINUTE, MINUTE);
    expect(drive.lines().slice(2)).toEqual(['update firing: disk@web1:firing disk@web2:firing → desk']);
    drive.advance(8 * HOUR, MINUTE); // 17:00 in Paris: the pager's mute ends
    const pager = drive.sent.filter((sent) => sent.route === 'pager');
    expect(pager.at(-1)?.alarms.map((alarm) => alarm.labels.source)).toEqual(['web1', 'web2']);
    expect(pager.at(-1)?.time).toBe(new Date(T0 + 16 * HOUR).toISOString());
    expect(drive.stage.stats.muted).toBe(2);
  });

  it('reads weekdays on the wall clock of its location', () => {
    // Sunday 23:30 UTC is already Monday 08:30 in Tokyo.
    const sunday = Date.UTC(2026, 0, 4, 23, 30);
    const drive = new StageDrive({
      now: sunday,
      notify: { groupWait: '0s' },
      timeIntervals: { weekdays: [{ weekdays: ['monday:friday'], location: 'Asia/Tokyo' }] },
      routes: [{ name: 'tokyo', matchers: {}, activeTimeIntervals: ['weekdays'], targets: ['log:x'] }],
    });
    drive.change('disk', 'web1', 'firing');
    expect(drive.lines()).toEqual(['new firing: disk@web1:firing → tokyo']);
  });
});

describe('acknowledgement', () => {
  it('leaves acknowledged alarms out of repeats until the acknowledgement is gone', () => {
    const drive = new StageDrive({ notify: { groupWait: '0s', groupInterval: '10s', repeatInterval: '1h' } });
    drive.change('disk', 'web1', 'firing');
    drive.change('disk', 'web2', 'firing');
    drive.advance(MINUTE);
    drive.sent.length = 0;
    drive.stage.acknowledge('disk/web1.m.f', ANN);
    drive.advance(HOUR);
    expect(drive.lines()).toEqual(['repeat firing: disk@web2:firing']);
    drive.stage.acknowledge('disk/web2.m.f', ANN);
    drive.advance(3 * HOUR);
    expect(drive.sent).toHaveLength(1); // every alarm acknowledged: no reminder
    expect(drive.stage.stats.ackedRepeats).toBeGreaterThan(0);
    // web1 resolves (its acknowledgement goes with it) and fires again: news, then reminded again.
    drive.stage.acknowledge('disk/web1.m.f', undefined);
    drive.change('disk', 'web1', 'resolved');
    drive.advance(10 * MINUTE);
    drive.change('disk', 'web1', 'firing');
    drive.advance(10 * MINUTE);
    expect(drive.lines().slice(1)).toEqual([
      'update firing: disk@web1:resolved disk@web2:firing',
      'update firing: disk@web2:firing disk@web1:firing',
    ]);
    drive.advance(HOUR);
    expect(drive.lines().at(-1)).toBe('repeat firing: disk@web1:firing');
  });
});

describe('the tree across a restart', () => {
  it("keeps a route's groups and settings; a group of a route since removed goes to the root's receivers", () => {
    const routes = [
      { name: 'db', matchers: { rule: 'disk' }, repeatInterval: '30m', targets: ['log:x'] },
      { name: 'web', matchers: { rule: 'cpu' }, targets: ['log:x'] },
    ];
    const before = new StageDrive({ notify: { groupWait: '0s', repeatInterval: '4h' }, routes });
    before.change('disk', 'web1', 'firing');
    before.change('cpu', 'web1', 'firing');
    expect(before.lines()).toEqual([
      'new firing: disk@web1:firing → db',
      'new firing: cpu@web1:firing → web',
    ]);
    const saved = JSON.parse(JSON.stringify(before.stage.snapshot())) as ReturnType<
      typeof before.stage.snapshot
    >;

    const after = new StageDrive({
      notify: { groupWait: '0s', repeatInterval: '4h' },
      routes: routes.slice(0, 1), // "web" is gone from the config
      saved: { notify: saved },
      now: before.now + MINUTE,
    });
    after.advance(30 * MINUTE);
    expect(after.lines()).toEqual(['repeat firing: disk@web1:firing → db']); // db's own repeatInterval
    after.advance(4 * HOUR);
    expect(after.lines()).toContain('repeat firing: cpu@web1:firing'); // the root's now
  });

  it("says in a group's notifications who acknowledged which firing alarm, not in its resolution", () => {
    const drive = new StageDrive({ notify: { groupWait: '0s', groupInterval: '10s', repeatInterval: '1h' } });
    drive.change('disk', 'web1', 'firing');
    drive.change('disk', 'web2', 'firing');
    drive.advance(MINUTE);
    drive.stage.acknowledge('disk/web1.m.f', ANN);
    drive.change('disk', 'web3', 'firing');
    drive.advance(MINUTE);
    const update = drive.sent.at(-1)!;
    expect(update.reason).toBe('update');
    expect(update.alarms.map((alarm) => [alarm.series, alarm.acknowledged])).toEqual([
      ['web1.m.f', ANN],
      ['web2.m.f', undefined],
      ['web3.m.f', undefined],
    ]);
    drive.change('disk', 'web1', 'resolved');
    drive.advance(MINUTE);
    const resolution = drive.sent.at(-1)!.alarms.find((alarm) => alarm.state === 'resolved');
    expect(resolution?.series).toBe('web1.m.f');
    expect(resolution?.acknowledged).toBeUndefined();
  });
});
