import { describe, expect, it } from 'vitest';
import { alarmRuleSchema } from '../../alarms/config.js';
import { ExpressionError, parseExpression, type Fields } from '../../alarms/expression.js';
import { Drive, MINUTE, rule, SECOND } from './drive.js';

function fields(values: Record<string, number>): Fields {
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, { type: 'float', value }]));
}

function parseError(text: string): ExpressionError {
  try {
    parseExpression(text);
  } catch (error) {
    if (error instanceof ExpressionError) return error;
    throw error;
  }
  throw new Error(`"${text}" parsed`);
}

describe('expressions', () => {
  it('arithmetic with precedence, unary minus, parentheses and quoted names', () => {
    const at = (text: string, values: Record<string, number>): number | undefined =>
      parseExpression(text).evaluate(fields(values));
    expect(at('used / total * 100', { used: 30, total: 120 })).toBe(25);
    expect(at('rx_bytes + tx_bytes * 2', { rx_bytes: 1, tx_bytes: 3 })).toBe(7);
    expect(at('(rx_bytes + tx_bytes) * 2', { rx_bytes: 1, tx_bytes: 3 })).toBe(8);
    expect(at('-a - -b', { a: 5, b: 2 })).toBe(-3);
    expect(at('10 - 4 - 3', {})).toBe(3); // left-associative
    expect(at('`power-w` / 1e3 + .5', { 'power-w': 1500 })).toBe(2);
    expect(parseExpression('a * b + a').fields).toEqual(['a', 'b']);
  });

  it('a missing field or a division by zero gives no value, not 0', () => {
    const ratio = parseExpression('used / total');
    expect(ratio.evaluate(fields({ used: 1 }))).toBeUndefined();
    expect(ratio.evaluate(fields({ used: 1, total: 0 }))).toBeUndefined();
    expect(parseExpression('a + 1 / (b - b)').evaluate(fields({ a: 1, b: 2 }))).toBeUndefined();
  });

  it('syntax errors name the position', () => {
    expect(parseError('used / ').message).toBe(
      'expected a number, a field or "(" but found end of expression at position 8',
    );
    expect(parseError('(a + b').message).toBe('expected ")" but found end of expression at position 7');
    expect(parseError('a b').message).toBe('unexpected name "b" at position 3');
    expect(parseError('a % b').position).toBe(3);
    expect(parseError('`odd name').message).toBe('unclosed ` at position 1');
  });

  it('the config names the bad expression and the combinations it refuses', () => {
    const issues = (input: Record<string, unknown>): string[] => {
      const result = alarmRuleSchema.safeParse({
        kind: 'threshold',
        name: 'r',
        measurement: 'm',
        above: 1,
        ...input,
      });
      return result.success
        ? []
        : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    };
    expect(issues({ expr: 'a * (b' })).toEqual([
      'expr: expected ")" but found end of expression at position 7',
    ]);
    expect(issues({ expr: 'a / b' })).toEqual([]);
    expect(issues({ field: 'a', expr: 'a / b' })).toEqual([': give exactly one of `field` and `expr`']);
    expect(issues({})).toEqual([': give exactly one of `field` and `expr`']);
    expect(issues({ expr: 'a', per: 'b' })).toEqual(['per: not with `expr` (divide in the expression)']);
    expect(issues({ field: 'a', as: 'x' })).toEqual(['as: names an `expr`; give `expr` too']);
    expect(issues({ field: '*', aggregate: { op: 'sum' } })).toEqual([
      'field: with `aggregate`, one field (no `*`): the aggregate of several fields means nothing',
    ]);
  });
});

describe('threshold rules on an expression', () => {
  const memUsed = rule({
    kind: 'threshold',
    name: 'mem_used',
    measurement: 'mem',
    expr: 'used / total * 100',
    as: 'used_ratio',
    above: 90,
    clear: 85,
  });

  it('a ratio of two fields fires and resolves with hysteresis; points without a value are skipped', () => {
    const drive = new Drive([memUsed]);
    drive.point('web1', 'mem', { used: 50, total: 100 });
    drive.point('web1', 'mem', { used: 95, total: 100 });
    drive.advance(5 * SECOND);
    drive.point('web1', 'mem', { used: 95 }); // no total: skipped
    drive.point('web1', 'mem', { used: 10, total: 0 }); // division by zero: skipped
    drive.point('web1', 'mem', { used: 88, total: 100 }); // in the band: still firing
    expect(drive.states()).toEqual(['web1.mem.used_ratio{host=web1}:firing']);
    expect(drive.engine.get('mem_used', 'web1.mem.used_ratio{host=web1}')?.value).toBe(88);
    drive.point('web1', 'mem', { used: 80, total: 100 });
    expect(drive.states()).toEqual([
      'web1.mem.used_ratio{host=web1}:firing',
      'web1.mem.used_ratio{host=web1}:resolved',
    ]);
    expect(drive.published[0]).toMatchObject({
      value: 95,
      labels: { field: 'used_ratio' },
      summary: 'mem used_ratio on web1 is 95, above 90',
    });
  });

  it('without `as` the field label is the rule name', () => {
    const drive = new Drive([
      rule({ kind: 'threshold', name: 'traffic', measurement: 'net', expr: 'rx + tx', above: 10 }),
    ]);
    drive.point('web1', 'net', { rx: 6, tx: 6 });
    expect(drive.states()).toEqual(['web1.net.traffic{host=web1}:firing']);
  });
});

describe('aggregate threshold rules', () => {
  const machinePower = rule({
    kind: 'threshold',
    name: 'machine_power_high',
    measurement: 'outlet',
    field: 'power',
    where: { machine: '*' },
    aggregate: { op: 'sum', by: ['machine'], window: '2m' },
    above: 3000,
    clear: 2800,
  });

  /** Outlet readings of two PDUs, each outlet tagged with the machine it feeds. */
  function outlet(drive: Drive, pdu: string, number: number, machine: string, power: number): void {
    drive.point(pdu, 'outlet', { power }, { outlet: String(number), machine });
  }

  it('one alarm per machine, firing when its outlets on two PDUs sum past the limit', () => {
    const drive = new Drive([machinePower]);
    outlet(drive, 'pdu1', 1, 'db1', 1600);
    outlet(drive, 'pdu2', 1, 'db1', 1300);
    outlet(drive, 'pdu1', 2, 'web1', 900);
    outlet(drive, 'pdu2', 2, 'web1', 800);
    drive.advance(5 * SECOND);
    expect(drive.published).toEqual([]); // 2900 and 1700
    outlet(drive, 'pdu2', 1, 'db1', 1500);
    expect(drive.published).toEqual([]); // evaluated at the tick, not on the point
    drive.advance(5 * SECOND);
    expect(drive.states()).toEqual(['rules.outlet.power{machine=db1}:firing']);
    expect(drive.published[0]).toMatchObject({
      value: 3100,
      threshold: 3000,
      labels: { machine: 'db1', source: 'rules', measurement: 'outlet', field: 'power' },
      summary: 'sum of outlet power (machine=db1) is 3100, above 3000',
    });
    expect(drive.engine.get('machine_power_high', 'rules.outlet.power{machine=web1}')).toMatchObject({
      state: 'inactive',
      value: 1700,
    });

    // Hysteresis: 2900 is below the limit but above `clear`, so it keeps firing; 2700 resolves.
    outlet(drive, 'pdu1', 1, 'db1', 1400);
    drive.advance(5 * SECOND);
    expect(drive.published).toHaveLength(1);
    outlet(drive, 'pdu1', 1, 'db1', 1200);
    drive.advance(5 * SECOND);
    expect(drive.states().at(-1)).toBe('rules.outlet.power{machine=db1}:resolved');
  });

  it('a PDU that goes silent drops out of the sum after `window`', () => {
    const drive = new Drive([machinePower]);
    const both = (): void => {
      outlet(drive, 'pdu1', 1, 'db1', 2000);
      outlet(drive, 'pdu2', 1, 'db1', 1500);
    };
    both();
    drive.advance(5 * SECOND);
    expect(drive.states()).toEqual(['rules.outlet.power{machine=db1}:firing']);
    // pdu2 stops answering; pdu1 keeps reporting 2000 every 30 s.
    for (let i = 0; i < 3; i++) {
      drive.advance(30 * SECOND);
      outlet(drive, 'pdu1', 1, 'db1', 2000);
    }
    expect(drive.published).toHaveLength(1); // 90 s: pdu2's 1500 still counts
    for (let i = 0; i < 2; i++) {
      drive.advance(30 * SECOND);
      outlet(drive, 'pdu1', 1, 'db1', 2000);
    }
    drive.advance(5 * SECOND);
    expect(drive.states().at(-1)).toBe('rules.outlet.power{machine=db1}:resolved');
    expect(drive.published.at(-1)?.value).toBe(2000);
  });

  it('`for` holds for the aggregate, and an expression can feed it', () => {
    const drive = new Drive([
      rule({
        kind: 'threshold',
        name: 'rack_traffic',
        measurement: 'net',
        expr: 'rx + tx',
        as: 'bytes',
        aggregate: { op: 'sum', by: ['rack'] },
        above: 100,
        for: '1m',
      }),
    ]);
    drive.point('a', 'net', { rx: 30, tx: 30 }, { rack: 'r1' });
    drive.point('b', 'net', { rx: 30, tx: 30 }, { rack: 'r1' });
    drive.point('c', 'net', { rx: 30 }, { rack: 'r1' }); // no tx: not in the sum
    drive.point('d', 'net', { rx: 1, tx: 1 }); // no rack tag: in no group
    drive.advance(5 * SECOND);
    expect(drive.states()).toEqual(['rules.net.bytes{rack=r1}:pending']);
    drive.advance(MINUTE);
    expect(drive.states()).toEqual(['rules.net.bytes{rack=r1}:pending', 'rules.net.bytes{rack=r1}:firing']);
    expect(drive.published.at(-1)?.value).toBe(120);
  });
});
