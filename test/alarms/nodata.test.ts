import { describe, expect, it } from 'vitest';
import { Drive, MINUTE, rule, SECOND, T0 } from './drive.js';

describe('no-data rules', () => {
  it('a series silent for `for` fires on a tick, and resolves when it speaks again', () => {
    const drive = new Drive([
      rule({ kind: 'nodata', name: 'silent', measurement: 'outlet', field: 'power_w', for: '2m' }),
    ]);
    drive.point('pdu1', 'outlet', { power_w: 100, energy_kwh: 1 }, { outlet: '1' });
    drive.point('pdu1', 'outlet', { power_w: 120 }, { outlet: '2' });
    drive.advance(MINUTE);
    drive.point('pdu1', 'outlet', { power_w: 100 }, { outlet: '1' });
    drive.advance(55 * SECOND);
    expect(drive.published).toEqual([]);
    drive.advance(5 * SECOND);
    expect(drive.published).toMatchObject([
      {
        series: 'pdu1.outlet.power_w{outlet=2}',
        state: 'firing',
        since: new Date(T0 + 2 * MINUTE).toISOString(),
        summary: 'no data from outlet power_w on pdu1 (outlet=2) for 2m',
      },
    ]);
    drive.point('pdu1', 'outlet', { power_w: 90 }, { outlet: '2' });
    expect(drive.states()).toEqual([
      'pdu1.outlet.power_w{outlet=2}:firing',
      'pdu1.outlet.power_w{outlet=2}:resolved',
    ]);
  });

  it('scope `source`: fires once for the whole source, not per series', () => {
    const drive = new Drive([rule({ kind: 'nodata', name: 'quiet', scope: 'source', for: '2m' })]);
    drive.point('web1', 'cpu', { usage_idle: 90 });
    drive.point('web1', 'mem', { used_percent: 20 });
    drive.point('web2', 'mem', { used_percent: 20 });
    drive.advance(MINUTE);
    drive.point('web2', 'mem', { used_percent: 20 });
    drive.advance(MINUTE);
    expect(drive.published).toMatchObject([
      { series: 'web1', state: 'firing', summary: 'no data from web1 for 2m', labels: { source: 'web1' } },
    ]);
  });
});

describe('offline rules', () => {
  it('fires once <base>/status/<source> has said offline for `for`; resolves when online', () => {
    const drive = new Drive([rule({ kind: 'offline', name: 'offline', for: '2m', severity: 'critical' })]);
    drive.engine.status('web1', 'online', drive.now);
    drive.engine.status('web1', 'offline', drive.now);
    expect(drive.published).toMatchObject([{ series: 'web1', state: 'pending' }]);
    drive.advance(2 * MINUTE);
    expect(drive.published.at(-1)).toMatchObject({
      state: 'firing',
      severity: 'critical',
      summary: 'source web1 is offline',
      since: new Date(T0 + 2 * MINUTE).toISOString(),
    });
    drive.engine.status('web1', 'online', drive.now);
    expect(drive.published.at(-1)).toMatchObject({
      state: 'resolved',
      summary: 'source web1 is back online',
    });
  });

  it('inhibition: an offline source raises its offline alarm, not a no-data alarm per series', () => {
    const drive = new Drive([
      rule({ kind: 'offline', name: 'offline', for: '2m' }),
      rule({ kind: 'nodata', name: 'silent', measurement: '*', field: '*', for: '3m' }),
    ]);
    drive.engine.status('web1', 'online', drive.now);
    drive.point('web1', 'cpu', { usage_idle: 90 });
    drive.point('web1', 'mem', { used_percent: 20 });
    drive.advance(MINUTE);
    drive.engine.status('web1', 'offline', drive.now);
    drive.advance(30 * MINUTE);
    expect(drive.states()).toEqual(['web1:pending', 'web1:firing']);
    drive.engine.status('web1', 'online', drive.now); // back, but cpu never speaks again
    drive.point('web1', 'mem', { used_percent: 20 });
    drive.advance(2 * MINUTE);
    drive.point('web1', 'mem', { used_percent: 20 });
    drive.advance(55 * SECOND);
    expect(drive.states()).toEqual(['web1:pending', 'web1:firing', 'web1:resolved']);
    drive.advance(5 * SECOND); // 3 minutes of silence since it came back
    expect(drive.states().at(-1)).toBe('web1.cpu.usage_idle{host=web1}:firing');
    expect(drive.published).toHaveLength(4);
  });

  it('a short outage only pends', () => {
    const drive = new Drive([rule({ kind: 'offline', name: 'offline', for: '2m' })]);
    drive.engine.status('web1', 'offline', drive.now);
    drive.advance(MINUTE);
    drive.engine.status('web1', 'online', drive.now);
    drive.advance(5 * MINUTE);
    expect(drive.published.map((m) => m.state)).toEqual(['pending', 'inactive']);
  });
});
