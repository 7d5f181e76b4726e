/** Ingest rules' `timestampPath` in each `timestampUnit`, and a missing timestamp (receive time, counted). */
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLineProtocol } from '../../core/codecs/line-protocol.js';
import {
  Clients,
  messageOn,
  record,
  subscribe,
  waitFor,
  type ReceivedMessage,
} from '../helpers/mqtt-clients.js';
import { startTestBusbar, type TestBusbar } from '../helpers/busbar.js';

const NS = 1_732_530_000n * 1_000_000_000n; // 2024-11-25T10:20:00Z
const UNITS = ['s', 'ms', 'us', 'ns', 'auto'] as const;

let busbar: TestBusbar;
const clients = new Clients();
let device: MqttClient;
let seen: ReceivedMessage[];

beforeAll(async () => {
  busbar = await startTestBusbar({
    ingest: {
      statsInterval: '100ms',
      rules: UNITS.map((unit) => ({
        topic: `stamped/${unit}/+device`,
        source: '{device}',
        measurement: unit,
        format: 'json' as const,
        timestampPath: 'meta.ts',
        timestampUnit: unit,
      })),
    },
  });
  device = await clients.connect(busbar.url, { clientId: 'device' });
  const watcher = await clients.connect(busbar.url, { clientId: 'watcher' });
  seen = record(watcher);
  await subscribe(watcher, 'busbar/#', 1);
});

afterAll(async () => {
  await clients.closeAll();
  await busbar.stop();
});

async function stamp(unit: string, device_: string, ts: unknown): Promise<bigint | undefined> {
  await device.publishAsync(`stamped/${unit}/${device_}`, JSON.stringify({ v: 1, meta: { ts } }), { qos: 1 });
  const message = await messageOn(seen, `busbar/metrics/${device_}/${unit}`);
  return parseLineProtocol(message.payload).metrics[0]?.timestamp;
}

describe('ingest rule timestamps', () => {
  it('reads numbers, numeric strings and float seconds in the configured unit', async () => {
    expect(await stamp('s', 'a1', 1_732_530_000)).toBe(NS);
    expect(await stamp('s', 'a2', '1732530000.25')).toBe(NS + 250_000_000n);
    expect(await stamp('ms', 'a3', '1732530000000')).toBe(NS);
    expect(await stamp('us', 'a4', 1_732_530_000_000_000)).toBe(NS);
    expect(await stamp('ns', 'a5', '1732530000000000007')).toBe(NS + 7n);
    expect(await stamp('auto', 'a6', 1_732_530_000)).toBe(NS);
    expect(await stamp('auto', 'a7', '2024-11-25T10:20:00Z')).toBe(NS);
  });

  it('dates a payload without a timestamp (missing or null) with its receive time, and counts it', async () => {
    // busbar's clock keeps within a millisecond of Date.now() (core/codecs/metric.ts nowNs).
    const before = (BigInt(Date.now()) - 1n) * 1_000_000n;
    expect(await stamp('s', 'b1', null)).toBeGreaterThanOrEqual(before);
    await device.publishAsync('stamped/s/b2', JSON.stringify({ v: 2 }), { qos: 1 });
    await messageOn(seen, 'busbar/metrics/b2/s');
    await waitFor(() => {
      const last = seen.filter((m) => m.topic === 'busbar/stats/ingest').at(-1);
      return (
        last !== undefined &&
        (JSON.parse(last.payload) as { timestampFallbacks: number }).timestampFallbacks === 2
      );
    }, 'two fallbacks counted');
  });
});
