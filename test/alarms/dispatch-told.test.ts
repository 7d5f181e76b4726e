/**
 * When a group counts as told: only on a `delivered` receipt from the notifiers. A message on its
 * way is not sent again; a dead one makes its alarms news at the group's next interval, unless
 * another route delivers it after all; what was sent and not yet told survives a restart.
 */
import { describe, expect, it } from 'vitest';
import { MINUTE, SECOND, StageDrive } from './dispatch-drive.js';

const told = (drive: StageDrive): (string | undefined)[] =>
  drive.stage.snapshot().groups.flatMap((group) => group.entries.map((entry) => entry.told));

describe('told only once delivered', () => {
  it('marks the alarms told on the delivered receipt, not when the message is sent', () => {
    const drive = new StageDrive({ notify: { groupWait: '0s', groupInterval: '1m' } });
    drive.change('disk', 'web1', 'firing');
    expect(drive.lines()).toEqual(['new firing: disk@web1:firing']);
    expect(told(drive)).toEqual([undefined]);
    drive.advance(5 * MINUTE); // on its way for minutes: not news, not sent again
    expect(drive.sent).toHaveLength(1);

    const { id, group } = drive.sent[0]!;
    expect(drive.stage.receipt({ id, group, state: 'delivered' })).toBe(true);
    expect(told(drive)).toEqual(['firing']);
    expect(drive.stage.stats).toMatchObject({ delivered: 1, dead: 0 });
    expect(drive.stage.receipt({ id, group, state: 'delivered' })).toBe(false); // a second route's
  });

  it('sends the alarms again at the next interval when their message died', () => {
    const drive = new StageDrive({ notify: { groupWait: '0s', groupInterval: '1m' } });
    drive.change('disk', 'web1', 'firing');
    const { id, group } = drive.sent[0]!;
    drive.advance(2 * MINUTE);
    expect(drive.stage.receipt({ id, group, state: 'dead' })).toBe(true);
    expect(told(drive)).toEqual([undefined]);
    drive.advance(5 * SECOND);
    expect(drive.lines()).toEqual(['new firing: disk@web1:firing', 'update firing: disk@web1:firing']);
    expect(drive.sent[1]!.id).not.toBe(id);
  });

  it('still takes a delivered receipt for a message that died on another route', () => {
    const drive = new StageDrive({ notify: { groupWait: '0s', groupInterval: '1m' } });
    drive.change('disk', 'web1', 'firing');
    const { id, group } = drive.sent[0]!;
    drive.stage.receipt({ id, group, state: 'dead' });
    expect(drive.stage.receipt({ id, group, state: 'delivered' })).toBe(true);
    expect(told(drive)).toEqual(['firing']);
    drive.advance(5 * MINUTE);
    expect(drive.sent).toHaveLength(1);
  });

  it('keeps a message on its way across a restart, and tells it on its receipt then', () => {
    const before = new StageDrive({ notify: { groupWait: '0s', groupInterval: '1m' } });
    before.change('disk', 'web1', 'firing');
    const { id, group } = before.sent[0]!;
    const after = new StageDrive({
      notify: { groupWait: '0s', groupInterval: '1m' },
      saved: { notify: before.stage.snapshot() },
      now: before.now,
    });
    after.advance(5 * MINUTE);
    expect(after.sent).toEqual([]); // not announced again
    expect(after.stage.receipt({ id, group, state: 'delivered' })).toBe(true);
    expect(told(after)).toEqual(['firing']);
  });
});
