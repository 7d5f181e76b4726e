/**
 * Devices that do not answer: offline status (retained), error counters, no delay for the devices
 * that do answer, and recovery when the agent is back.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSilentUdp, startSnmpd } from '../../helpers/snmpd.js';
import { startSnmpsim, type SnmpsimServer } from '../../helpers/snmpsim.js';
import { startBridgeHarness, type BridgeHarness, type Recorded } from '../bridge-harness.js';

const FIXTURE = new URL('../../fixtures/snmpsim/apc-pdu.snmprec', import.meta.url).pathname;

interface DeviceStatsJson {
  state: string;
  polls: number;
  failedPolls: number;
  consecutiveFailures: number;
  lastError?: string;
}
type StatsJson = { devices: Record<string, DeviceStatsJson>; online: number; offline: number };

let sim: SnmpsimServer;
let harness: BridgeHarness | undefined;
beforeAll(async () => {
  sim = await startSnmpsim({ pdu: FIXTURE });
});
afterAll(async () => {
  await sim?.stop();
});
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

describe('SNMP bridge: unreachable devices', () => {
  it('marks a device that never answers offline (retained), counts its failures, and keeps polling the others on time', async () => {
    const dead = await startSilentUdp();
    try {
      harness = await startBridgeHarness({
        bridges: {
          snmp: {
            // One slot: the dead device may hold it for one failed poll, never again after that.
            concurrency: 1,
            statsInterval: 100,
            devices: [
              {
                name: 'dead',
                host: '127.0.0.1',
                port: dead.port,
                timeout: 300,
                retries: 1,
                interval: 200,
                profiles: ['system'],
              },
              {
                name: 'alive',
                host: '127.0.0.1',
                port: sim.port,
                community: 'pdu',
                interval: 200,
                profiles: ['apc-rpdu2-outlet'],
              },
            ],
          },
        },
      });
      const h = harness;
      await h.until(() => h.payloads('busbar/status/dead').includes('offline'), 'dead offline');
      const offlineAt = h.messages.findIndex(
        (m) => m.topic === 'busbar/status/dead' && m.payload === 'offline',
      );
      const alivePolls = (): Recorded[] =>
        h.messages.slice(offlineAt).filter((m) => m.topic === 'busbar/metrics/alive/outlet');
      await h.until(
        () => alivePolls().length >= 8 && (h.stats<StatsJson>('snmp')?.devices.dead?.failedPolls ?? 0) >= 6,
        'eight polls of the live device and six failed ones of the dead one',
        15_000,
      );

      // The live device kept polling: once it has polled after the dead one went offline (the slot
      // the dead one held for its first poll is free), the dead one's probes never take the slot,
      // so the live device never waits for it. Held, it would wait at nearly every sample.
      const firstAlive = h.messages.indexOf(alivePolls()[0]!);
      const waiting = h.messages
        .slice(firstAlive)
        .filter((m) => m.topic === 'busbar/stats/snmp')
        .map((m) => (JSON.parse(m.payload) as { waitingForSlot: number }).waitingForSlot);
      expect(waiting.length).toBeGreaterThanOrEqual(3);
      expect(waiting.filter((count) => count !== 0)).toEqual([]);

      const stats = h.stats<StatsJson>('snmp')!;
      expect(stats.devices.dead).toMatchObject({ state: 'offline' });
      expect(stats.devices.dead!.failedPolls).toBeGreaterThanOrEqual(3);
      expect(stats.devices.dead!.consecutiveFailures).toBe(stats.devices.dead!.failedPolls);
      expect(stats.devices.dead!.lastError).toBe(`Request timed out (127.0.0.1:${dead.port})`);
      expect(stats.devices.alive).toMatchObject({ state: 'online', failedPolls: 0 });
      expect(stats).toMatchObject({ online: 1, offline: 1 });
      // First poll: one try and one retry; offline probes: one request each. The statistics are a
      // snapshot: a probe may have failed since, and the next one be on its way (with retries the
      // count would be about twice the failed polls).
      expect(dead.received()).toBeLessThanOrEqual(stats.devices.dead!.failedPolls + 3);

      // Logged once, with the device and reason; the status is published once (on change), retained.
      expect(h.busbar.log.find('SNMP device dead is offline').map((l) => l.msg)).toEqual([
        `SNMP device dead is offline: Request timed out (127.0.0.1:${dead.port})`,
      ]);
      expect(h.payloads('busbar/status/dead')).toEqual(['offline']);
      const retained: { payload: string; retain: boolean }[] = [];
      const late = await h.busbar.running.bus.subscribe('busbar/status/+', (m) => {
        retained.push({ payload: `${m.topic}=${m.payload.toString()}`, retain: m.retain });
      });
      await h.until(() => retained.length >= 2, 'retained statuses');
      await late.unsubscribe();
      expect(retained).toEqual(
        expect.arrayContaining([
          { payload: 'busbar/status/dead=offline', retain: true },
          { payload: 'busbar/status/alive=online', retain: true },
        ]),
      );
    } finally {
      await dead.stop();
    }
  });

  it('comes back online by itself when the agent answers again', async () => {
    let snmpd = await startSnmpd();
    const port = snmpd.port;
    try {
      harness = await startBridgeHarness({
        bridges: {
          snmp: {
            statsInterval: 100,
            devices: [
              {
                name: 'flaky',
                host: '127.0.0.1',
                port,
                timeout: 300,
                retries: 0,
                interval: 200,
                profiles: ['system'],
              },
            ],
          },
        },
      });
      const h = harness;
      await h.until(() => h.metrics('flaky', 'system').length > 0, 'first reading');
      await snmpd.stop();
      await h.until(() => h.payloads('busbar/status/flaky').includes('offline'), 'offline');
      snmpd = await startSnmpd({ port });
      const before = h.metrics('flaky', 'system').length;
      await h.until(() => h.metrics('flaky', 'system').length > before, 'readings again');
      await h.until(() => h.stats<StatsJson>('snmp')?.devices.flaky?.state === 'online', 'stats online');
      expect(h.payloads('busbar/status/flaky')).toEqual(['online', 'offline', 'online']);
      const flaky = h.stats<StatsJson>('snmp')!.devices.flaky!;
      expect(flaky.failedPolls).toBeGreaterThanOrEqual(1);
      expect(flaky.consecutiveFailures).toBe(0);
      expect(h.busbar.log.find('SNMP device flaky answers again').length).toBe(1);
    } finally {
      await snmpd.stop();
    }
  });
});
