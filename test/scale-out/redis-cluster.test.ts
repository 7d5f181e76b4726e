/**
 * Scale-out of the broker itself: two `busbar start` processes share state through one real
 * redis-server (aedes-persistence-redis + mqemitter-redis). A client on one receives what a client
 * on the other publishes; retained messages and persistent sessions are shared.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { spawnCli, waitForOutput } from '../helpers/cli.js';
import { Clients, messageOn, record, subscribe, waitFor } from '../helpers/mqtt-clients.js';
import { freePort } from '../helpers/ports.js';
import { tempDir } from '../helpers/process.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';

let redis: RedisServer;
let dir: Awaited<ReturnType<typeof tempDir>>;
const processes: ReturnType<typeof spawnCli>[] = [];
const urls: string[] = [];
const clients = new Clients();

async function startNode(index: number): Promise<void> {
  const port = await freePort();
  const file = path.join(dir.path, `node-${index}.yaml`);
  await writeFile(
    file,
    [
      'log: { format: json, level: info }',
      'agent: { enabled: false }',
      'web: { enabled: false }',
      `sinks: { history: { path: ${JSON.stringify(path.join(dir.path, `history-${index}.db`))} } }`,
      'broker:',
      `  id: node-${index}`,
      `  listeners: [{ type: tcp, host: 127.0.0.1, port: ${port} }]`,
      `  persistence: { type: redis, redis: { host: 127.0.0.1, port: ${redis.port} } }`,
      // Each node journals into a folder of its own (one process per journal).
      `  journal: { path: ${JSON.stringify(path.join(dir.path, `journal-${index}`))} }`,
    ].join('\n'),
  );
  const node = spawnCli(['start', '-c', file]);
  processes.push(node);
  await waitForOutput(node.output, (text) => text.includes('busbar ready'));
  urls.push(`mqtt://127.0.0.1:${port}`);
}

beforeAll(async () => {
  [redis, dir] = await Promise.all([startRedis(), tempDir('cluster')]);
  await startNode(0);
  await startNode(1);
}, 120_000); // two busbar processes, each allowed PROCESS_WAIT_MS to start on a busy machine

afterAll(async () => {
  await clients.closeAll();
  for (const node of processes) node.child.kill('SIGTERM');
  const codes = await Promise.all(processes.map((node) => node.exited));
  await redis?.stop();
  await dir?.remove();
  expect(codes).toEqual([0, 0]);
});

it('delivers to a client on one process what a client on the other publishes', async () => {
  const listener = await clients.connect(urls[0]!);
  const seen = record(listener);
  await subscribe(listener, 'cluster/live/#', 1);
  const publisher = await clients.connect(urls[1]!);
  await publisher.publishAsync('cluster/live/a', 'from node 1', { qos: 1 });
  expect((await messageOn(seen, 'cluster/live/a')).payload).toBe('from node 1');
});

it('shares retained messages', async () => {
  const publisher = await clients.connect(urls[0]!);
  await publisher.publishAsync('cluster/retained/state', 'on', { qos: 1, retain: true });
  const late = await clients.connect(urls[1]!);
  const seen = record(late);
  await subscribe(late, 'cluster/retained/#', 1);
  // The live copy may also reach node 1 over Redis after the subscription (retain flag off, as for
  // any live message): what must arrive is the retained one, from the shared store.
  await waitFor(
    () => seen.some((m) => m.topic === 'cluster/retained/state' && m.retain),
    'the retained message on the other node',
  );
  expect(seen.find((m) => m.topic === 'cluster/retained/state' && m.retain)).toMatchObject({ payload: 'on' });
});

it('keeps a persistent session across processes: a QoS 1 message queued while offline arrives on the other', async () => {
  const first = await clients.connect(urls[0]!, { clientId: 'roaming-device', clean: false });
  await subscribe(first, 'cluster/queued/#', 1);
  await first.endAsync();

  const publisher = await clients.connect(urls[1]!);
  await publisher.publishAsync('cluster/queued/cmd', 'reboot', { qos: 1 });

  // Listen before the connection opens: the queued message may come in the same read as the CONNACK.
  const again = mqtt.connect(urls[1]!, { clientId: 'roaming-device', clean: false, reconnectPeriod: 0 });
  const seen = record(again);
  try {
    expect((await messageOn(seen, 'cluster/queued/cmd', 10_000)).payload).toBe('reboot');
  } finally {
    await again.endAsync();
  }
});
