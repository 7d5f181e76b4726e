/**
 * The notification stage on a controlled clock: grouping (group wait, group interval), repeat,
 * resolution, inhibition, silences, flapping, and a restart in the middle of a firing group.
 */
import { describe, expect, it } from 'vitest';
import { HOUR, MINUTE, SECOND, StageDrive, T0 } from './dispatch-drive.js';

describe('grouping', () => {
  it('waits groupWait for companions, then collects later changes for groupInterval', () => {
    const drive = new StageDrive({ notify: { groupBy: ['rule'], groupWait: '30s', groupInterval: '5m' } });
    drive.change('disk', 'web1', 'firing');
    drive.advance(10 * SECOND);
    drive.change('disk', 'web2', 'firing');
    drive.change('mem', 'web1', 'firing'); // another rule: another group
    drive.advance(15 * SECOND);
    expect(drive.sent).toEqual([]); // 25 s: still waiting
    drive.advance(5 * SECOND);
    expect(drive.lines()).toEqual(['new firing: disk@web1:firing disk@web2:firing']);
    expect(drive.sent[0]?.group).toBe('rule=disk');
    expect(drive.sent[0]?.summary).toBe('2 firing: disk on web1, web2');
    drive.advance(10 * SECOND); // mem's group began 10 s later: its wait ends now
    expect(drive.lines()[1]).toBe('new firing: mem@web1:firing');

    drive.change('disk', 'web3', 'firing');
    drive.advance(4 * MINUTE);
    expect(drive.sent).toHaveLength(2); // within groupInterval of the first message
    drive.advance(MINUTE);
    expect(drive.lines()[2]).toBe('update firing: disk@web1:firing disk@web2:firing disk@web3:firing');
  });

  it('tells a resolution once, after groupInterval, then forgets the alarm', () => {
    const drive = new StageDrive({ notify: { groupWait: '0s', groupInterval: '1m' } });
    drive.change('disk', 'web1', 'firing');
    expect(drive.lines()).toEqual(['new firing: disk@web1:firing']);
    drive.advance(20 * SECOND);
    drive.change('disk', 'web1', 'resolved');
    drive.advance(30 * SECOND);
    expect(drive.sent).toHaveLength(1);
    drive.advance(10 * SECOND);
    expect(drive.lines()[1]).toBe('update resolved: disk@web1:resolved');
    expect(drive.sent[1]?.status).toBe('resolved');
    expect(drive.stage.size).toBe(0);
    drive.advance(10 * HOUR);
    expect(drive.sent).toHaveLength(2); // no repeat of a resolved group
  });

  it('says nothing about an alarm that resolved before its group was first told', () => {
    const drive = new StageDrive({ notify: { groupWait: '30s' } });
    drive.change('disk', 'web1', 'firing');
    drive.advance(10 * SECOND);
    drive.change('disk', 'web1', 'resolved');
    drive.advance(MINUTE);
    expect(drive.sent).toEqual([]);
    expect(drive.stage.size).toBe(0);
  });

  it('with groupBy [...] and no wait, each alarm goes out on its own at once', () => {
    const drive = new StageDrive({ notify: { groupBy: ['...'], groupWait: '0s' } });
    drive.change('disk', 'web1', 'firing');
    drive.change('disk', 'web2', 'firing');
    expect(drive.lines()).toEqual(['new firing: disk@web1:firing', 'new firing: disk@web2:firing']);
    expect(drive.sent[0]?.summary).toBe('[FIRING] disk on web1 is firing');
  });
});

describe('repeat', () => {
  it('tells alarms still firing again after repeatInterval without news, not before', () => {
    const drive = new StageDrive({ notify: { groupWait: '0s', repeatInterval: '4h' } });
    drive.change('disk', 'web1', 'firing');
    drive.advance(4 * HOUR - 10 * SECOND);
    expect(drive.sent).toHaveLength(1);
    drive.advance(10 * SECOND);
    expect(drive.lines()).toEqual(['new firing: disk@web1:firing', 'repeat firing: disk@web1:firing']);
    drive.advance(4 * HOUR);
    expect(drive.sent.map((n) => n.reason)).toEqual(['new', 'repeat', 'repeat']);
  });
});

describe('inhibition', () => {
  const inhibit = [{ when: { rule: 'pdu-down' }, suppress: { source: 'web*' }, equal: ['rack'] }];

  it('a firing PDU alarm mutes the machines behind it (same rack), not those of another rack', () => {
    const drive = new StageDrive({ notify: { groupBy: ['...'], groupWait: '0s' }, inhibit });
    drive.change('pdu-down', 'pdu1', 'firing', { rack: 'r1' });
    drive.change('offline', 'web1', 'firing', { rack: 'r1' });
    drive.change('offline', 'web2', 'firing', { rack: 'r1' });
    drive.change('offline', 'web9', 'firing', { rack: 'r2' });
    expect(drive.lines()).toEqual(['new firing: pdu-down@pdu1:firing', 'new firing: offline@web9:firing']);
    expect(drive.stage.stats.inhibited).toBe(2);

    // The PDU comes back but the machines stay down: now they are news.
    drive.change('pdu-down', 'pdu1', 'resolved', { rack: 'r1' });
    drive.advance(5 * SECOND); // the muted alarms are news at once; the PDU's own group waits its interval
    expect(drive.lines().slice(2).sort()).toEqual([
      'new firing: offline@web1:firing',
      'new firing: offline@web2:firing',
    ]);
    drive.advance(5 * MINUTE);
    expect(drive.lines().slice(2).sort()).toEqual([
      'new firing: offline@web1:firing',
      'new firing: offline@web2:firing',
      'update resolved: pdu-down@pdu1:resolved',
    ]);
  });

  it('names the machines behind a device by list, when no label links them', () => {
    const drive = new StageDrive({
      notify: { groupBy: ['...'], groupWait: '0s' },
      inhibit: [{ when: { source: 'sw1', rule: 'offline' }, suppress: { source: ['web1', 'db*'] } }],
    });
    drive.change('offline', 'sw1', 'firing');
    for (const source of ['web1', 'db1', 'db2', 'web2']) drive.change('nodata', source, 'firing');
    expect(drive.lines()).toEqual(['new firing: offline@sw1:firing', 'new firing: nodata@web2:firing']);
  });

  it('in an outage of many racks, each PDU mutes exactly the machines of its own rack', () => {
    const drive = new StageDrive({ notify: { groupBy: ['rule'], groupWait: '10s' }, inhibit });
    // Racks r0..r49 lose their PDU; machines in r0..r99 go down (web<n> sits in rack r<n % 100>).
    for (let r = 0; r < 50; r++) drive.change('pdu-down', `pdu${r}`, 'firing', { rack: `r${r}` });
    for (let m = 0; m < 1_000; m++) drive.change('offline', `web${m}`, 'firing', { rack: `r${m % 100}` });
    drive.advance(10 * SECOND);
    const offline = drive.sent.find((n) => n.group === 'rule=offline')!;
    expect(drive.sent.find((n) => n.group === 'rule=pdu-down')?.firing).toBe(50);
    expect(offline.firing).toBe(500);
    expect(offline.alarms.every((a) => Number(a.labels.rack!.slice(1)) >= 50)).toBe(true);
    expect(drive.stage.stats.inhibited).toBe(500);
  });

  it('an alarm matching both sides does not mute itself', () => {
    const drive = new StageDrive({
      notify: { groupBy: ['...'], groupWait: '0s' },
      inhibit: [{ when: { rule: 'offline' }, suppress: { rule: 'offline' } }],
    });
    drive.change('offline', 'web1', 'firing');
    expect(drive.lines()).toEqual(['new firing: offline@web1:firing']);
    drive.change('offline', 'web2', 'firing');
    expect(drive.sent).toHaveLength(1); // web1's fires: web2 is muted by it
  });
});

describe('silences', () => {
  it('mutes matching alarms until it ends; then an alarm still firing is told', () => {
    const drive = new StageDrive({ notify: { groupBy: ['...'], groupWait: '0s' } });
    const outcome = drive.silences.request(
      JSON.stringify({ action: 'add', id: 'maint', matchers: { source: 'web1' }, duration: '1h' }),
      drive.now,
    );
    expect(outcome.kind).toBe('added');
    drive.change('disk', 'web1', 'firing');
    drive.change('disk', 'web2', 'firing');
    expect(drive.lines()).toEqual(['new firing: disk@web2:firing']);
    expect(drive.stage.stats.silenced).toBe(1);
    drive.advance(HOUR - 5 * SECOND);
    expect(drive.sent).toHaveLength(1);
    drive.advance(5 * SECOND);
    expect(drive.lines()[1]).toBe('new firing: disk@web1:firing');
  });

  it('matches loosely with `alarm` (rule, series or source) and by lists of patterns', () => {
    const drive = new StageDrive({
      notify: { groupBy: ['...'], groupWait: '0s' },
      silences: [{ matchers: { alarm: 'disk' } }, { id: 'web', matchers: { alarm: 'web3' } }],
    });
    drive.change('disk', 'web1', 'firing');
    drive.change('mem', 'web1', 'firing');
    drive.change('mem', 'web3', 'firing');
    expect(drive.lines()).toEqual(['new firing: mem@web1:firing']);
    expect(drive.silences.list().map((silence) => silence.id)).toEqual(['config-0', 'web']);
  });

  it('refuses bad requests with the reason, and keeps config silences out of reach', () => {
    const drive = new StageDrive({ silences: [{ id: 'cfg', matchers: { rule: 'disk' } }] });
    const refusal = (request: unknown): string => {
      const outcome = drive.silences.request(JSON.stringify(request), drive.now);
      return outcome.kind === 'refused' ? outcome.reason : outcome.kind;
    };
    expect(drive.silences.request('{nope', drive.now)).toEqual({ kind: 'refused', reason: 'not JSON' });
    expect(refusal({ action: 'add', id: 'a', matchers: {}, duration: '1h' })).toContain('matchers');
    expect(refusal({ action: 'add', id: 'a', matchers: { rule: 'x' } })).toContain('`duration`');
    expect(refusal({ action: 'add', id: 'a', matchers: { rule: 'x' }, duration: 'soon' })).toContain(
      'duration',
    );
    expect(refusal({ action: 'add', id: 'a/b', matchers: { rule: 'x' }, duration: '1h' })).toContain('id');
    expect(refusal({ action: 'remove', id: 'cfg' })).toContain('config file');
    expect(refusal({ action: 'remove', id: 'unknown' })).toBe('removed');
    expect(
      refusal({ action: 'add', id: 'old', matchers: { rule: 'x' }, endsAt: new Date(T0 - 1).toISOString() }),
    ).toContain('end before it begins');
  });

  it('a silence that ended while busbar was down is cleared at start, and a config one removed from the file', () => {
    const drive = new StageDrive({
      now: T0 + 2 * HOUR,
      saved: {
        silences: [
          {
            id: 'over',
            matchers: { rule: 'x' },
            createdAt: new Date(T0).toISOString(),
            endsAt: new Date(T0 + HOUR).toISOString(),
            createdBy: 'ops',
            comment: '',
          },
          {
            id: 'config-0',
            matchers: { rule: 'x' },
            createdAt: new Date(T0).toISOString(),
            endsAt: '9999-12-31T23:59:59.999Z',
            createdBy: 'config',
            comment: '',
          },
        ],
      },
    });
    expect(drive.silences.size).toBe(0);
    expect(drive.silences.endedWhileDown).toEqual(['over', 'config-0']);
  });
});

describe('flapping', () => {
  /** An alarm on its own group, firing and resolving 2 minutes apart `changes` times. */
  function flap(flapAt: number, changes: number): StageDrive {
    const drive = new StageDrive({
      notify: {
        groupBy: ['...'],
        groupWait: '0s',
        groupInterval: '1m',
        flapping: { changes: flapAt, window: '1h' },
      },
    });
    for (let change = 0; change < changes; change++) {
      drive.change('link', 'sw1', change % 2 === 0 ? 'firing' : 'resolved');
      drive.advance(2 * MINUTE);
    }
    return drive;
  }

  it('is told once as flapping, held back while it flaps, and told its state once it settles', () => {
    const drive = flap(6, 8);
    // Told firing, resolved, firing, resolved: then the 6th change made it flapping, told once.
    expect(drive.lines()).toEqual([
      'new firing: link@sw1:firing',
      'update resolved: link@sw1:resolved',
      'new firing: link@sw1:firing',
      'update resolved: link@sw1:resolved',
      'new firing: link@sw1:firing',
      'flapping firing: link@sw1:flapping',
    ]);
    // Said as what happened, not as the resolution that made it flap.
    const notice = drive.sent[5]!;
    expect(notice.alarms[0]?.summary).toBe('link on sw1.m.f is flapping: 6 changes in 1h, now resolved');
    expect(notice.summary).toBe('[FLAPPING] link on sw1.m.f is flapping: 6 changes in 1h, now resolved');
    expect(drive.stage.stats.flapping).toBe(1);
    drive.change('link', 'sw1', 'firing');
    drive.advance(50 * MINUTE);
    expect(drive.sent).toHaveLength(6); // still flapping: nothing more
    drive.advance(20 * MINUTE); // the changes age out of the hour: it settled, firing
    expect(drive.lines().at(-1)).toBe('update firing: link@sw1:firing');
  });

  it("an alarm that starts flapping as it fires again is no group's `new` message", () => {
    const drive = flap(5, 5);
    // Each resolution was told and ended its group; the 5th change (firing) made it flap.
    expect(drive.lines()).toEqual([
      'new firing: link@sw1:firing',
      'update resolved: link@sw1:resolved',
      'new firing: link@sw1:firing',
      'update resolved: link@sw1:resolved',
      'flapping firing: link@sw1:flapping',
    ]);
    expect(drive.sent.at(-1)?.alarms[0]?.summary).toBe(
      'link on sw1.m.f is flapping: 5 changes in 1h, now firing',
    );
  });
});

describe('restart', () => {
  it('a group told before the restart is not told again; its repeat keeps its time', () => {
    const before = new StageDrive({ notify: { groupWait: '0s', repeatInterval: '1h' } });
    before.change('disk', 'web1', 'firing');
    before.advance(10 * MINUTE);
    expect(before.sent).toHaveLength(1);
    const saved = JSON.parse(JSON.stringify(before.stage.snapshot())) as ReturnType<
      typeof before.stage.snapshot
    >;

    const after = new StageDrive({
      notify: { groupWait: '0s', repeatInterval: '1h' },
      saved: { notify: saved },
      now: before.now + 5 * MINUTE,
    });
    after.advance(40 * MINUTE);
    expect(after.sent).toEqual([]); // no storm after the restart
    after.advance(10 * MINUTE);
    expect(after.lines()).toEqual(['repeat firing: disk@web1:firing']);
    after.change('disk', 'web1', 'resolved');
    after.advance(5 * MINUTE);
    expect(after.lines().at(-1)).toBe('update resolved: disk@web1:resolved');
  });
});
