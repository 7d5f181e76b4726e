import { describe, expect, it } from 'vitest';
import { Drive, MINUTE, rule, SECOND, T0 } from './drive.js';

const diskRule = rule({
  kind: 'threshold',
  name: 'disk_used',
  measurement: 'disk',
  field: 'used_percent',
  above: 90,
  clear: 85,
  severity: 'critical',
});

describe('threshold rules', () => {
  it('fires at once without `for`, publishing value, threshold, labels and a summary', () => {
    const drive = new Drive([diskRule]);
    drive.point('web1', 'disk', { used_percent: 80 }, { host: 'web1', path: '/' });
    expect(drive.published).toEqual([]);
    drive.now += 10 * SECOND;
    drive.point('web1', 'disk', { used_percent: 95.25 }, { host: 'web1', path: '/' });
    expect(drive.published).toEqual([
      {
        rule: 'disk_used',
        series: 'web1.disk.used_percent{host=web1,path=/}',
        state: 'firing',
        severity: 'critical',
        value: 95.25,
        threshold: 90,
        baseline: null,
        since: new Date(T0 + 10 * SECOND).toISOString(),
        firedAt: new Date(T0 + 10 * SECOND).toISOString(),
        labels: { host: 'web1', path: '/', source: 'web1', measurement: 'disk', field: 'used_percent' },
        summary: 'disk used_percent on web1 (path=/) is 95.25, above 90',
      },
    ]);
  });

  it('one instance per matched series, wildcards on source, measurement, field and tags', () => {
    const drive = new Drive([
      rule({
        kind: 'threshold',
        name: 'hot',
        source: 'web*',
        measurement: 'te*',
        field: '*',
        where: { sensor: 'core*' },
        above: 80,
      }),
    ]);
    drive.point('web1', 'temp', { temp: 90 }, { host: 'web1', sensor: 'core0' });
    drive.point('web1', 'temp', { temp: 91 }, { host: 'web1', sensor: 'core1' });
    drive.point('web2', 'temp', { temp: 92 }, { host: 'web2', sensor: 'core0' });
    drive.point('web2', 'temp', { temp: 99 }, { host: 'web2', sensor: 'chipset' }); // tag not matched
    drive.point('db1', 'temp', { temp: 99 }, { host: 'db1', sensor: 'core0' }); // source not matched
    drive.point('web2', 'temp', { temp: 99 }, { host: 'web2' }); // tag missing
    expect(drive.states()).toEqual([
      'web1.temp.temp{host=web1,sensor=core0}:firing',
      'web1.temp.temp{host=web1,sensor=core1}:firing',
      'web2.temp.temp{host=web2,sensor=core0}:firing',
    ]);
  });

  it('hysteresis: resolves only below the clear level, and fires again only above the threshold', () => {
    const drive = new Drive([diskRule]);
    const at = (value: number) => {
      drive.now += 10 * SECOND;
      drive.point('web1', 'disk', { used_percent: value }, { host: 'web1' });
    };
    at(91); // fires
    at(88); // between clear and threshold: still firing
    at(90.5); // no new publish
    at(86);
    expect(drive.states()).toEqual(['web1.disk.used_percent{host=web1}:firing']);
    at(85); // at the clear level
    expect(drive.published.at(-1)).toMatchObject({
      state: 'resolved',
      value: 85,
      summary: 'disk used_percent on web1 is back to 85 after 40s (clears at or below 85)',
    });
    at(89); // band after resolve: nothing
    expect(drive.published).toHaveLength(2);
    at(92);
    expect(drive.published.map((m) => m.state)).toEqual(['firing', 'resolved', 'firing']);
  });

  it('`for`: pending first, firing once the condition has held that long, on a tick without new points', () => {
    const drive = new Drive([
      rule({
        kind: 'threshold',
        name: 'mem',
        measurement: 'mem',
        field: 'available_percent',
        below: 10,
        for: '5m',
      }),
    ]);
    drive.point('web1', 'mem', { available_percent: 8 });
    expect(drive.published.at(-1)).toMatchObject({
      state: 'pending',
      summary: 'mem available_percent on web1 is 8, below 10; fires if it stays so for 5m',
    });
    drive.advance(4 * MINUTE + 55 * SECOND);
    expect(drive.published.map((m) => m.state)).toEqual(['pending']);
    drive.advance(5 * SECOND);
    expect(drive.published.map((m) => m.state)).toEqual(['pending', 'firing']);
    expect(drive.published.at(-1)?.since).toBe(new Date(T0 + 5 * MINUTE).toISOString());
  });

  it('`for`: a recovery while pending returns to inactive and restarts the wait', () => {
    const drive = new Drive([
      rule({
        kind: 'threshold',
        name: 'mem',
        measurement: 'mem',
        field: 'available_percent',
        below: 10,
        for: '5m',
      }),
    ]);
    drive.point('web1', 'mem', { available_percent: 8 });
    drive.advance(4 * MINUTE);
    drive.point('web1', 'mem', { available_percent: 30 });
    drive.advance(MINUTE);
    drive.point('web1', 'mem', { available_percent: 8 });
    drive.advance(4 * MINUTE);
    expect(drive.published.map((m) => m.state)).toEqual(['pending', 'inactive', 'pending']);
    drive.advance(MINUTE);
    expect(drive.published.map((m) => m.state)).toEqual(['pending', 'inactive', 'pending', 'firing']);
    expect(drive.published.at(-1)?.since).toBe(new Date(T0 + 10 * MINUTE).toISOString());
  });

  it('`keepFiringFor`: resolves only once the condition has been off that long', () => {
    const drive = new Drive([
      rule({
        kind: 'threshold',
        name: 'load',
        measurement: 'system',
        field: 'load1',
        above: 4,
        keepFiringFor: '2m',
      }),
    ]);
    drive.point('web1', 'system', { load1: 5 });
    drive.advance(30 * SECOND);
    drive.point('web1', 'system', { load1: 1 });
    drive.advance(MINUTE);
    drive.point('web1', 'system', { load1: 6 }); // back above: the 2 minutes start again
    drive.advance(30 * SECOND);
    drive.point('web1', 'system', { load1: 1 });
    drive.advance(MINUTE + 55 * SECOND);
    expect(drive.published.map((m) => m.state)).toEqual(['firing']);
    drive.advance(5 * SECOND);
    expect(drive.published.map((m) => m.state)).toEqual(['firing', 'resolved']);
    expect(drive.published.at(-1)?.since).toBe(new Date(T0 + 4 * MINUTE).toISOString());
  });

  it('`per` divides by another field of the same point (load per core)', () => {
    const drive = new Drive([
      rule({
        kind: 'threshold',
        name: 'load',
        measurement: 'system',
        field: 'load1',
        per: 'n_cpus',
        above: 2,
      }),
    ]);
    drive.point('web1', 'system', { load1: 7, n_cpus: 4 });
    expect(drive.published).toEqual([]);
    drive.point('web1', 'system', { load1: 9, n_cpus: 4 });
    expect(drive.published.at(-1)).toMatchObject({
      state: 'firing',
      value: 2.25,
      summary: 'system load1 per n_cpus on web1 is 2.25, above 2', // not "load1 is 2.25"
    });
    drive.point('web1', 'system', { load1: 9 }); // no divisor: ignored
    expect(drive.published).toHaveLength(1);
  });
});

describe('series that go away', () => {
  it('an alarm not firing whose series is gone for `forgetAfter` is forgotten; a firing one is kept', () => {
    const drive = new Drive([diskRule], undefined, T0, 60 * MINUTE);
    drive.point('web1', 'disk', { used_percent: 50 }, { host: 'web1', path: '/tmp' });
    drive.point('web1', 'disk', { used_percent: 95 }, { host: 'web1', path: '/' });
    drive.advance(59 * MINUTE);
    expect(drive.forgotten).toEqual([]);
    drive.advance(MINUTE);
    expect(drive.forgotten).toEqual(['disk_used/web1.disk.used_percent{host=web1,path=/tmp}']);
    drive.advance(10 * 60 * MINUTE);
    expect(drive.engine.snapshot().map((instance) => instance.series)).toEqual([
      'web1.disk.used_percent{host=web1,path=/}',
    ]);
  });
});

describe('rule config', () => {
  it('refuses a rule with both or neither of above and below, a misplaced clear level, and unknown keys', async () => {
    const { alarmsSchema } = await import('../../alarms/config.js');
    const base = { kind: 'threshold', name: 'r', measurement: 'm', field: 'f' } as const;
    expect(alarmsSchema.safeParse({ rules: [base] }).success).toBe(false);
    expect(alarmsSchema.safeParse({ rules: [{ ...base, above: 1, below: 0 }] }).success).toBe(false);
    expect(alarmsSchema.safeParse({ rules: [{ ...base, above: 90, clear: 95 }] }).success).toBe(false);
    expect(alarmsSchema.safeParse({ rules: [{ ...base, above: 90, colour: 'red' }] }).success).toBe(false);
    expect(
      alarmsSchema.safeParse({
        rules: [
          { ...base, above: 90 },
          { ...base, below: 1 },
        ],
      }).error?.issues,
    ).toEqual([expect.objectContaining({ path: ['rules', 1, 'name'], message: '"r" is used twice' })]);
    expect(alarmsSchema.parse({ rules: [{ ...base, above: 90, for: '5m' }] }).rules[0]).toMatchObject({
      for: 300_000,
      keepFiringFor: 0,
      source: '*',
      where: {},
      severity: 'warning',
    });
  });
});
