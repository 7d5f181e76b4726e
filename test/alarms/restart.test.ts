import { describe, expect, it } from 'vitest';
import { emptyAlarmState, loadAlarmState, saveAlarmState } from '../../alarms/state-file.js';
import { tempDir } from '../helpers/process.js';
import { Drive, MINUTE, rule, SECOND } from './drive.js';

const rules = [
  rule({
    kind: 'threshold',
    name: 'disk_used',
    measurement: 'disk',
    field: 'used_percent',
    above: 90,
    clear: 85,
  }),
  rule({
    kind: 'threshold',
    name: 'mem',
    measurement: 'mem',
    field: 'available_percent',
    below: 10,
    for: '5m',
  }),
  rule({ kind: 'nodata', name: 'quiet', scope: 'source', for: '2m' }),
];

describe('state across a restart', () => {
  it('a firing alarm stays firing without being announced again, and resolves afterwards', async () => {
    const dir = await tempDir('alarms');
    try {
      const path = `${dir.path}/state/alarms.json`;
      const before = new Drive(rules);
      before.point('web1', 'disk', { used_percent: 95 });
      before.point('web1', 'mem', { available_percent: 5 });
      before.advance(90 * SECOND);
      expect(before.states()).toEqual([
        'web1.disk.used_percent{host=web1}:firing',
        'web1.mem.available_percent{host=web1}:pending',
      ]);
      await saveAlarmState(path, { ...emptyAlarmState(), alarms: before.engine.snapshot() });

      // Down for 10 minutes: longer than the no-data rule's 2 minutes.
      const after = new Drive(rules, (await loadAlarmState(path)).alarms, before.now + 10 * MINUTE);
      expect(after.engine.get('disk_used', 'web1.disk.used_percent{host=web1}')?.state).toBe('firing');
      after.advance(SECOND);
      // The pending alarm kept its start and its last value: its 5 minutes, begun before the
      // restart, have passed, so the first tick fires it (as a tick would have without the restart).
      expect(after.states()).toEqual(['web1.mem.available_percent{host=web1}:firing']);
      after.point('web1', 'disk', { used_percent: 93 }); // still firing: nothing to say
      after.point('web1', 'mem', { available_percent: 4 });
      after.advance(MINUTE);
      // No storm: the firing alarm is not announced again, and the silence of the restart is no no-data.
      expect(after.published).toHaveLength(1);
      after.advance(30 * SECOND);
      after.point('web1', 'disk', { used_percent: 80 });
      expect(after.states().at(-1)).toBe('web1.disk.used_percent{host=web1}:resolved');
      expect(after.published.at(-1)?.firedAt).toBe(before.published[0]?.firedAt);
    } finally {
      await dir.remove();
    }
  });

  it('no file yet: no alarms; rules removed from the config are dropped', async () => {
    const dir = await tempDir('alarms');
    try {
      const path = `${dir.path}/alarms.json`;
      expect(await loadAlarmState(path)).toEqual(emptyAlarmState());
      const before = new Drive(rules);
      before.point('web1', 'disk', { used_percent: 95 });
      await saveAlarmState(path, { ...emptyAlarmState(), alarms: before.engine.snapshot() });
      const after = new Drive([rules[1]!], (await loadAlarmState(path)).alarms);
      expect(after.engine.snapshot()).toEqual([]);
    } finally {
      await dir.remove();
    }
  });
});
