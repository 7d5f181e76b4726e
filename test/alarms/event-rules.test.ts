/**
 * Event rules: each matching point (an SNMP trap's `trap` point) is an event that fires the alarm;
 * the alarm resolves on its clearing event (`clearedBy`) or once no event came for `resolveAfter`
 * (by default 5m, or 24h when a clearing event is expected), never staying firing for ever.
 */
import { describe, expect, it } from 'vitest';
import { Drive, MINUTE, rule, SECOND } from './drive.js';

const OVERLOAD = 'PowerNet-MIB::rPDUOutletOverload';
const CLEARED = 'PowerNet-MIB::rPDUOutletOverloadCleared';

/** A trap point as the SNMP bridge publishes it. */
function trap(drive: Drive, device: string, name: string, tags: Record<string, string> = {}): void {
  drive.point(device, 'trap', { count: 1 }, { device, trap: name, ...tags });
}

describe('event rules', () => {
  it('fire on an event, count repeats, and resolve on the clearing event of the same device only', () => {
    const drive = new Drive([
      rule({
        kind: 'event',
        name: 'outlet_overload',
        measurement: 'trap',
        where: { trap: OVERLOAD },
        clearedBy: { trap: CLEARED },
      }),
    ]);
    trap(drive, 'pdu1', CLEARED); // a clearing event with nothing to clear makes no alarm
    trap(drive, 'pdu1', OVERLOAD);
    trap(drive, 'pdu2', OVERLOAD);
    drive.advance(MINUTE);
    trap(drive, 'pdu1', OVERLOAD);
    expect(drive.published).toMatchObject([
      {
        series: 'pdu1.trap{device=pdu1}',
        state: 'firing',
        value: 1,
        summary: 'trap on pdu1 (device=pdu1): an event of outlet_overload',
      },
      { series: 'pdu2.trap{device=pdu2}', state: 'firing' },
    ]);
    expect(drive.engine.get('outlet_overload', 'pdu1.trap{device=pdu1}')?.value).toBe(2);
    trap(drive, 'pdu1', 'PowerNet-MIB::rPDUCommunicationLost'); // neither event nor clearing
    trap(drive, 'pdu1', CLEARED);
    expect(drive.states()).toEqual([
      'pdu1.trap{device=pdu1}:firing',
      'pdu2.trap{device=pdu2}:firing',
      'pdu1.trap{device=pdu1}:resolved',
    ]);
    expect(drive.published.at(-1)!.summary).toBe(
      'trap on pdu1 (device=pdu1): outlet_overload resolved after 1m (cleared)',
    );
    // Expecting a clearing event, the other alarm waits for it a day by default, then resolves.
    drive.advance(24 * 60 * MINUTE - 2 * MINUTE, MINUTE); // 23h 59m since its event
    expect(drive.states()).toHaveLength(3);
    drive.advance(2 * MINUTE, MINUTE);
    expect(drive.states().slice(3)).toEqual(['pdu2.trap{device=pdu2}:resolved']);
    // A new event fires again.
    trap(drive, 'pdu1', OVERLOAD);
    expect(drive.published.at(-1)).toMatchObject({
      series: 'pdu1.trap{device=pdu1}',
      state: 'firing',
      value: 1,
    });
  });

  it('resolve after `resolveAfter` without a new event, each repeat starting the quiet time again', () => {
    const drive = new Drive([
      rule({
        kind: 'event',
        name: 'cold_start',
        measurement: 'trap',
        where: { trap: 'SNMPv2-MIB::coldStart' },
        resolveAfter: '2m',
      }),
    ]);
    trap(drive, 'ups1', 'SNMPv2-MIB::coldStart');
    drive.advance(90 * SECOND);
    trap(drive, 'ups1', 'SNMPv2-MIB::coldStart');
    drive.advance(90 * SECOND);
    expect(drive.states()).toEqual(['ups1.trap{device=ups1,trap=SNMPv2-MIB::coldStart}:firing']);
    drive.advance(30 * SECOND);
    expect(drive.published.at(-1)).toMatchObject({
      state: 'resolved',
      value: 2,
      summary:
        'trap on ups1 (device=ups1, trap=SNMPv2-MIB::coldStart): cold_start resolved after 3m 30s (no event for 2m)',
    });
  });

  it('resolve after 5m by default, also while the source says it is offline', () => {
    const drive = new Drive([rule({ kind: 'event', name: 'any_trap', measurement: 'trap' })]);
    drive.engine.status('pdu1', 'offline', drive.now);
    trap(drive, 'pdu1', 'PowerNet-MIB::rPDUCommunicationLost');
    drive.advance(4 * MINUTE + 55 * SECOND);
    expect(drive.states()).toEqual([
      'pdu1.trap{device=pdu1,trap=PowerNet-MIB::rPDUCommunicationLost}:firing',
    ]);
    drive.advance(5 * SECOND);
    expect(drive.published.at(-1)!.state).toBe('resolved');
  });

  it('are a config error with an empty clearedBy or a field', () => {
    expect(() => rule({ kind: 'event', name: 'e', measurement: 'trap', clearedBy: {} })).toThrow(
      /name at least one tag/,
    );
    expect(() => rule({ kind: 'event', name: 'e', measurement: 'trap', field: 'count' } as never)).toThrow();
  });
});
