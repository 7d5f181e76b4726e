/** The store-and-forward queue: order, removal, its bound, and what survives reopening the file. */
import { writeFile } from 'node:fs/promises';
import { afterEach, expect, it } from 'vitest';
import { BridgeQueue, type OutgoingMessage } from '../../remotes/queue.js';
import { tempDir } from '../helpers/process.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function queueFile(): Promise<string> {
  const dir = await tempDir('bridge-queue');
  cleanups.push(dir.remove);
  return `${dir.path}/q.db`;
}

const message = (n: number): OutgoingMessage => ({
  topic: `t/${n}`,
  payload: Buffer.from(String(n)),
  qos: 1,
  retain: n % 2 === 0,
});

it('gives messages back in order, after a cursor, and forgets removed ones across a reopen', async () => {
  const file = await queueFile();
  const queue = BridgeQueue.open(file, 100);
  for (let n = 0; n < 5; n += 1) queue.append(message(n));
  const first = queue.read(0, 2);
  expect(first.map((m) => m.topic)).toEqual(['t/0', 't/1']);
  expect(first[0]).toMatchObject({ payload: Buffer.from('0'), qos: 1, retain: true });
  expect(queue.read(first[1]!.id, 10).map((m) => m.topic)).toEqual(['t/2', 't/3', 't/4']);
  queue.remove(first[0]!.id);
  queue.remove(first[1]!.id);
  expect(queue.size).toBe(3);
  queue.close();

  const reopened = BridgeQueue.open(file, 100);
  expect(reopened.size).toBe(3);
  expect(reopened.read(0, 10).map((m) => m.topic)).toEqual(['t/2', 't/3', 't/4']);
  reopened.close();
});

it('drops the oldest messages beyond its limit, but never one already handed out', async () => {
  const queue = BridgeQueue.open(await queueFile(), 3);
  queue.append(message(0));
  const [handedOut] = queue.read(0, 1);
  for (let n = 1; n < 6; n += 1) queue.append(message(n));
  queue.flush();
  expect(queue.dropped).toBe(3);
  expect(queue.size).toBe(3);
  expect(queue.read(0, 10).map((m) => m.topic)).toEqual(['t/0', 't/4', 't/5']);
  expect(handedOut?.topic).toBe('t/0');
  queue.close();
});

it('names the file it cannot open', async () => {
  const file = await queueFile();
  await writeFile(file, 'a file where the directory should be');
  expect(() => BridgeQueue.open(`${file}/q.db`, 10)).toThrow(/cannot open the bridge queue .*q\.db\/q\.db/);
});
