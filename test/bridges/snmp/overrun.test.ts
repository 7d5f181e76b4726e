/** A poll that takes longer than its device's interval is counted and logged, never silent. */
import { afterEach, describe, expect, it } from 'vitest';
import { startSilentUdp } from '../../helpers/snmpd.js';
import { startBridgeHarness, type BridgeHarness } from '../bridge-harness.js';

let harness: BridgeHarness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

type Stats = { devices: Record<string, { polls: number; overruns: number }> };

describe('SNMP bridge: poll overruns', () => {
  it('counts and logs the polls that outlast the interval', async () => {
    const silent = await startSilentUdp();
    try {
      harness = await startBridgeHarness({
        bridges: {
          snmp: {
            statsInterval: 100,
            devices: [
              // Each poll waits out a 400 ms timeout: four times its 100 ms interval.
              {
                name: 'slow',
                host: '127.0.0.1',
                port: silent.port,
                timeout: 400,
                retries: 0,
                interval: 100,
                profiles: ['system'],
              },
            ],
          },
        },
      });
      const h = harness;
      await h.until(
        () => (h.stats<Stats>('snmp')?.devices.slow?.overruns ?? 0) >= 2,
        'two overruns counted',
        10_000,
      );
      const { polls, overruns } = h.stats<Stats>('snmp')!.devices.slow!;
      expect(overruns).toBeLessThanOrEqual(polls);
      const warnings = h.busbar.log.find('SNMP device slow: a poll took');
      expect(warnings).toHaveLength(1); // once, however many overruns (throttled)
      expect(warnings[0]!.msg).toMatch(/longer than its interval of 100 ms$/);
    } finally {
      await silent.stop();
    }
  });
});
