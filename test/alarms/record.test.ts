import { describe, expect, it } from 'vitest';
import { recordRuleSchema } from '../../alarms/config.js';
import { Recorder } from '../../alarms/record.js';
import type { Metric } from '../../core/codecs/metric.js';
import { MINUTE, SECOND, T0 } from './drive.js';

function outlet(pdu: string, outletIndex: string, power: number, machine?: string): Metric {
  return {
    measurement: 'outlet',
    tags: { host: pdu, outlet: outletIndex, ...(machine ? { machine } : {}) },
    fields: { power_w: { type: 'float', value: power }, energy_kwh: { type: 'float', value: 1 } },
  };
}

// The rule proposed in bridges/snmp/README.md, in the alarms section's shape.
const machinePower = recordRuleSchema.parse({
  name: 'machine_power',
  from: 'busbar/metrics/+/outlet',
  field: 'power_w',
  where: { machine: '*' },
  groupBy: ['machine'],
  aggregate: 'sum',
  window: '10m',
  every: '10s',
  output: { field: 'power_w' },
});

describe('recording rules', () => {
  it("sums a machine's outlets across PDUs, one series per machine, as line protocol", () => {
    const recorder = new Recorder([machinePower]);
    let now = T0;
    recorder.observe('busbar/metrics/pdu1/outlet', outlet('pdu1', '1', 200, 'web1'), now);
    recorder.observe('busbar/metrics/pdu2/outlet', outlet('pdu2', '1', 300, 'web1'), now);
    recorder.observe('busbar/metrics/pdu1/outlet', outlet('pdu1', '2', 150, 'db1'), now);
    recorder.observe('busbar/metrics/pdu1/outlet', outlet('pdu1', '3', 999), now); // feeds no machine
    recorder.observe('busbar/metrics/pdu1/other', outlet('pdu1', '4', 999, 'web1'), now); // other topic
    expect(recorder.due(now + 9 * SECOND)).toEqual([]);
    now += 10 * SECOND;
    const lines = recorder.due(now).map((output) => `${output.source} ${output.line}`);
    const ns = `${BigInt(now) * 1_000_000n}`;
    expect(lines).toEqual([
      `rules machine_power,machine=web1 power_w=500 ${ns}`,
      `rules machine_power,machine=db1 power_w=150 ${ns}`,
    ]);
    // The latest value of each outlet counts, not every reading.
    recorder.observe('busbar/metrics/pdu2/outlet', outlet('pdu2', '1', 340, 'web1'), now);
    now += 10 * SECOND;
    expect(recorder.due(now)[0]?.line).toMatch(/^machine_power,machine=web1 power_w=540 /);
  });

  it('a series not seen within `window` drops out; an empty group publishes nothing', () => {
    const recorder = new Recorder([machinePower]);
    recorder.observe('busbar/metrics/pdu1/outlet', outlet('pdu1', '1', 200, 'web1'), T0);
    recorder.observe('busbar/metrics/pdu2/outlet', outlet('pdu2', '1', 300, 'web1'), T0 + 5 * MINUTE);
    expect(recorder.due(T0 + 10 * MINUTE)[0]?.line).toMatch(/ power_w=500 /);
    expect(recorder.due(T0 + 11 * MINUTE)[0]?.line).toMatch(/ power_w=300 /);
    expect(recorder.due(T0 + 16 * MINUTE)).toEqual([]);
  });

  it('avg, min, max and count by rack; groupBy [] is the whole data centre', () => {
    const rules = (['avg', 'min', 'max', 'count'] as const).map((aggregate) =>
      recordRuleSchema.parse({
        name: `rack_${aggregate}`,
        from: 'busbar/metrics/moc/busplug',
        field: 'power_w',
        groupBy: ['rack'],
        aggregate,
        output: { measurement: `rack_power_${aggregate}` },
      }),
    );
    rules.push(
      recordRuleSchema.parse({
        name: 'datacenter_power',
        from: 'busbar/metrics/moc/busplug',
        field: 'power_w',
        aggregate: 'sum',
      }),
    );
    const recorder = new Recorder(rules);
    const plug = (rack: string, plugIndex: string, power: number): Metric => ({
      measurement: 'busplug',
      tags: { rack, plug: plugIndex },
      fields: { power_w: { type: 'float', value: power } },
    });
    for (const [rack, index, power] of [
      ['R1', '1', 100],
      ['R1', '2', 300],
      ['R2', '1', 50],
    ] as const) {
      recorder.observe('busbar/metrics/moc/busplug', plug(rack, index, power), T0);
    }
    const lines = recorder.due(T0 + 10 * SECOND).map((output) => output.line.replace(/ \d+$/, ''));
    expect(lines).toEqual([
      'rack_power_avg,rack=R1 power_w=200',
      'rack_power_avg,rack=R2 power_w=50',
      'rack_power_min,rack=R1 power_w=100',
      'rack_power_min,rack=R2 power_w=50',
      'rack_power_max,rack=R1 power_w=300',
      'rack_power_max,rack=R2 power_w=50',
      'rack_power_count,rack=R1 power_w=2',
      'rack_power_count,rack=R2 power_w=1',
      'datacenter_power power_w=450',
    ]);
  });
});

describe('recording rules: rate and ratio', () => {
  it('rate: per-second rate of each counter, summed; a counter reset is skipped, not negative', () => {
    const recorder = new Recorder([
      recordRuleSchema.parse({
        name: 'site_energy_rate',
        from: 'busbar/metrics/+/meter',
        field: 'energy_wh',
        rate: true,
        aggregate: 'sum',
        output: { field: 'power_w_avg' },
      }),
    ]);
    const meter = (id: string, wh: number): Metric => ({
      measurement: 'meter',
      tags: { meter: id },
      fields: { energy_wh: { type: 'float', value: wh } },
    });
    recorder.observe('busbar/metrics/m/meter', meter('a', 1000), T0);
    recorder.observe('busbar/metrics/m/meter', meter('b', 50), T0);
    expect(recorder.due(T0 + 10 * SECOND)).toEqual([]); // one reading each: no rate yet
    recorder.observe('busbar/metrics/m/meter', meter('a', 1100), T0 + 10 * SECOND);
    recorder.observe('busbar/metrics/m/meter', meter('b', 70), T0 + 10 * SECOND);
    expect(recorder.due(T0 + 20 * SECOND)[0]?.line).toMatch(/^site_energy_rate power_w_avg=12 /);
    recorder.observe('busbar/metrics/m/meter', meter('a', 5), T0 + 20 * SECOND); // reset
    recorder.observe('busbar/metrics/m/meter', meter('b', 90), T0 + 20 * SECOND);
    expect(recorder.due(T0 + 30 * SECOND)[0]?.line).toMatch(/^site_energy_rate power_w_avg=2 /);
  });

  it('ratio: `per` divides by another field of the same point, before aggregating', () => {
    const recorder = new Recorder([
      recordRuleSchema.parse({
        name: 'fleet_disk_used_max',
        from: 'busbar/metrics/+/disk',
        field: 'used',
        per: 'total',
        aggregate: 'max',
        output: { field: 'used_ratio' },
      }),
    ]);
    const disk = (used: number, total: number): Metric => ({
      measurement: 'disk',
      tags: { path: '/' },
      fields: { used: { type: 'float', value: used }, total: { type: 'float', value: total } },
    });
    recorder.observe('busbar/metrics/web1/disk', disk(25, 100), T0);
    recorder.observe('busbar/metrics/web2/disk', disk(60, 80), T0);
    recorder.observe('busbar/metrics/web3/disk', disk(1, 0), T0); // no ratio
    expect(recorder.due(T0 + 10 * SECOND)[0]?.line).toMatch(/^fleet_disk_used_max used_ratio=0.75 /);
  });
});
