/**
 * The built-in rules read the host agent's real measurements and fields: with each limit moved to
 * where any machine passes it, every default rule fires on this machine's own readings.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_RULES } from '../../alarms/defaults.js';
import { startTestBusbar, type TestBusbar } from '../helpers/busbar.js';
import { Clients, record, subscribe, waitFor } from '../helpers/mqtt-clients.js';
import type { AlarmMessage } from '../../alarms/alarm.js';

const clients = new Clients();
let busbar: TestBusbar | undefined;

afterEach(async () => {
  await clients.closeAll();
  await busbar?.stop();
  busbar = undefined;
});

describe('default rules on the host agent', () => {
  it('disk, memory and load rules match what the agent publishes', async () => {
    const byName = new Map(DEFAULT_RULES.map((rule) => [rule.name, rule]));
    expect([...byName.keys()]).toEqual([
      'disk_used',
      'disk_full_soon',
      'memory_available_low',
      'load_per_core',
      'source_offline',
    ]);
    busbar = await startTestBusbar({
      agent: { enabled: true, name: 'probe', interval: '200ms' },
      alarms: {
        evaluateInterval: '50ms',
        // Same names as the defaults (so they replace them) and the same selection, limits anyone passes.
        rules: [
          { kind: 'threshold', name: 'disk_used', measurement: 'disk', field: 'used_percent', above: -1 },
          {
            kind: 'threshold',
            name: 'memory_available_low',
            measurement: 'mem',
            field: 'available_percent',
            below: 101,
          },
          {
            kind: 'threshold',
            name: 'load_per_core',
            measurement: 'system',
            field: 'load1',
            per: 'n_cpus',
            above: -1,
          },
        ],
      },
    });
    const client = await clients.connect(busbar.url);
    const messages = record(client);
    await subscribe(client, 'busbar/alarms/#', 1);
    const firing = (rule: string): AlarmMessage | undefined =>
      messages
        .map((message) => JSON.parse(message.payload) as AlarmMessage)
        .find((alarm) => alarm.rule === rule && alarm.state === 'firing');
    await waitFor(
      () => ['disk_used', 'memory_available_low', 'load_per_core'].every((rule) => firing(rule)),
      'every default rule firing',
      10_000,
    );
    expect(firing('disk_used')?.labels).toMatchObject({
      source: 'probe',
      host: 'probe',
      measurement: 'disk',
    });
    expect(firing('disk_used')?.labels.path).toBeDefined();
    expect(firing('memory_available_low')?.value).toBeGreaterThan(0);
    expect(firing('load_per_core')?.value).toBeGreaterThanOrEqual(0);
  });
});
