/**
 * A poll that takes longer than its device's interval is counted and logged, never silent: whether
 * the device does not answer (each poll waits out its timeout) or answers, but slowly (snmpsim
 * behind a relay that holds each answer), when its polls succeed and publish.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startSilentUdp } from '../../helpers/snmpd.js';
import { startSnmpsim } from '../../helpers/snmpsim.js';
import { startUdpRelay } from '../../helpers/udp-relay.js';
import { startBridgeHarness, type BridgeHarness } from '../bridge-harness.js';

let harness: BridgeHarness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

type Stats = {
  devices: Record<string, { polls: number; overruns: number; failedPolls: number; state: string }>;
};

const FIXTURE = new URL('../../fixtures/snmpsim/apc-pdu.snmprec', import.meta.url).pathname;

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

  it('counts the polls of a device that answers, slowly, past its interval', async () => {
    const sim = await startSnmpsim({ pdu: FIXTURE });
    // Every answer held 150 ms: each v1 poll takes several round trips, each longer than the interval.
    const relay = await startUdpRelay(sim.port, { delayMs: 150 });
    try {
      harness = await startBridgeHarness({
        bridges: {
          snmp: {
            statsInterval: 100,
            devices: [
              {
                name: 'sluggish',
                host: '127.0.0.1',
                port: relay.port,
                community: 'pdu',
                version: '1',
                timeout: 5000,
                interval: 100,
                profiles: ['apc-rpdu2-outlet'],
              },
            ],
          },
        },
      });
      const h = harness;
      await h.until(
        () => (h.stats<Stats>('snmp')?.devices.sluggish?.overruns ?? 0) >= 2,
        'two overruns counted',
        20_000,
      );
      const device = h.stats<Stats>('snmp')!.devices.sluggish!;
      expect(device).toMatchObject({ state: 'online', failedPolls: 0 });
      expect(h.metrics('sluggish', 'outlet').length).toBeGreaterThan(0);
      expect(h.busbar.log.find('SNMP device sluggish: a poll took')).toHaveLength(1);
    } finally {
      relay.close();
      await sim.stop();
    }
  });
});
