/**
 * The shipped profiles are files (bridges/snmp/profiles/*.yaml) that the build copies next to the
 * compiled bridge: `busbar start` run from dist, as installed, finds them. A device left to
 * `profiles: [auto]` gets the APC profiles from its sysObjectID and publishes the outlets of the
 * data file.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLineProtocol } from '../../../core/codecs/line-protocol.js';
import { spawnCli, waitForOutput, PROCESS_WAIT_MS } from '../../helpers/cli.js';
import { record, subscribe, waitFor } from '../../helpers/mqtt-clients.js';
import { freePort } from '../../helpers/ports.js';
import { tempDir } from '../../helpers/process.js';
import { startSnmpsim, type SnmpsimServer } from '../../helpers/snmpsim.js';

const FIXTURE = new URL('../../fixtures/snmpsim/apc-pdu.snmprec', import.meta.url).pathname;

describe('shipped SNMP profiles in the built busbar', () => {
  let sim: SnmpsimServer;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    [sim, dir] = await Promise.all([startSnmpsim({ pdu: FIXTURE }), tempDir('snmp-dist')]);
  });
  afterAll(async () => {
    await Promise.all([sim?.stop(), dir?.remove()]);
  });

  it('busbar start from dist polls a device with the shipped APC profiles chosen by auto', async () => {
    const port = await freePort();
    const file = path.join(dir.path, 'busbar.yaml');
    const config = {
      log: { format: 'json', level: 'info' },
      web: { enabled: false },
      agent: { enabled: false },
      alarms: { statePath: path.join(dir.path, 'alarms.json') },
      notifiers: { recordPath: path.join(dir.path, 'notifications.db') },
      broker: {
        listeners: [{ type: 'tcp', host: '127.0.0.1', port }],
        journal: { path: path.join(dir.path, 'journal') },
      },
      sinks: { history: { enabled: false } },
      bridges: {
        snmp: {
          devices: [
            {
              name: 'pdu',
              host: '127.0.0.1',
              port: sim.port,
              community: 'pdu',
              interval: 500,
              profiles: ['auto'],
            },
          ],
        },
      },
    };
    await writeFile(file, JSON.stringify(config));
    const busbar = spawnCli(['start', '-c', file]);
    let client: MqttClient | undefined;
    try {
      await waitForOutput(busbar.output, (text) => text.includes('busbar ready'));
      client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0 });
      const messages = record(client);
      await subscribe(client, 'busbar/metrics/pdu/#');
      const outlets = () =>
        messages
          .filter((m) => m.topic === 'busbar/metrics/pdu/outlet')
          .flatMap((m) => parseLineProtocol(m.payload).metrics);
      await waitFor(() => outlets().length >= 8, 'outlet rows', PROCESS_WAIT_MS);
      // Outlet 1 of the data file: web1-psu1, 260 W.
      const first = outlets().find((m) => m.tags.outlet === '1')!;
      expect(first.tags.outlet_name).toBe('web1-psu1');
      expect(first.fields.power_w).toEqual({ type: 'float', value: 260 });
      await waitFor(
        () => messages.some((m) => m.topic === 'busbar/metrics/pdu/phase'),
        'the totals profile too',
        PROCESS_WAIT_MS,
      );
      expect(busbar.output()).toContain('profiles system, apc-rpdu2-outlet, apc-rpdu2-totals');
    } finally {
      await client?.endAsync(true);
      busbar.child.kill('SIGTERM');
      await busbar.exited;
    }
  });
});
