import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryOutbox } from '../../sinks/outbox/memory-outbox.js';
import type { Outbox } from '../../sinks/outbox/outbox.js';
import { SqliteOutbox } from '../../sinks/outbox/sqlite-outbox.js';
import { tempDir } from '../helpers/process.js';

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => {
  dir = await tempDir('outbox');
});
afterEach(async () => {
  await dir.remove();
});

const kinds: [string, (maxBytes: number) => Outbox][] = [
  ['sqlite', (maxBytes) => SqliteOutbox.open(path.join(dir.path, 'outbox.db'), maxBytes)],
  ['memory', (maxBytes) => new MemoryOutbox(maxBytes)],
];

describe.each(kinds)('%s outbox', (_kind, open) => {
  it('hands batches out oldest first and forgets delivered ones', () => {
    const outbox = open(1 << 20);
    outbox.append(Buffer.from('a v=1 1'), 1, 'identity');
    outbox.append(Buffer.from('b v=1 1\nb v=2 2'), 2, 'identity');
    expect(outbox.depth()).toMatchObject({ batches: 2, lines: 3, bytes: 22 });
    const first = outbox.take()!;
    expect(first).toMatchObject({ body: Buffer.from('a v=1 1'), encoding: 'identity', lines: 1 });
    outbox.release(); // delivery failed: the same batch comes first again
    expect(outbox.take()!.id).toBe(first.id);
    outbox.remove(first.id);
    expect(outbox.take()).toMatchObject({ body: Buffer.from('b v=1 1\nb v=2 2'), lines: 2 });
    expect(outbox.depth()).toMatchObject({ batches: 1, lines: 2 });
    outbox.close();
  });

  it('drops the oldest batches beyond its size, never the one in delivery nor the newest, and says how many', () => {
    const outbox = open(30);
    outbox.append(Buffer.from('first v=1 1'), 1, 'identity'); // 11 bytes
    const held = outbox.take()!;
    outbox.append(Buffer.from('second v=1 1'), 1, 'identity'); // 12 bytes
    // 11 + 12 + 23 > 30: `second` goes; `first` is held for delivery, `third` was just accepted.
    expect(outbox.append(Buffer.from('third v=1 1\nthird v=2 2'), 2, 'identity')).toEqual({
      batches: 1,
      lines: 1,
    });
    expect(outbox.append(Buffer.from('fourth v=1 1'), 1, 'identity')).toEqual({ batches: 1, lines: 2 });
    expect(outbox.depth()).toMatchObject({ batches: 2, lines: 2 });
    outbox.remove(held.id);
    expect(outbox.take()?.body.toString()).toBe('fourth v=1 1');
    outbox.close();
  });
});

describe('durable outbox', () => {
  it('keeps batches, in order, across a restart', () => {
    const file = path.join(dir.path, 'outbox.db');
    const before = SqliteOutbox.open(file, 1 << 20);
    for (let i = 0; i < 5; i++) before.append(gzipSync(`m v=${i} ${i}`), 1, 'gzip');
    before.remove(before.take()!.id);
    before.close();
    const after = SqliteOutbox.open(file, 1 << 20);
    expect(after.depth()).toMatchObject({ batches: 4, lines: 4 });
    const bodies: string[] = [];
    for (let batch = after.take(); batch; batch = after.take()) {
      expect(batch.encoding).toBe('gzip');
      bodies.push(gunzipSync(batch.body).toString());
      after.remove(batch.id);
    }
    expect(bodies).toEqual(['m v=1 1', 'm v=2 2', 'm v=3 3', 'm v=4 4']);
    after.close();
  });

  it('refuses an unusable file with an error naming it', async () => {
    const notADirectory = path.join(dir.path, 'file');
    await writeFile(notADirectory, 'x');
    const file = path.join(notADirectory, 'outbox.db');
    expect(() => SqliteOutbox.open(file, 1000)).toThrow(`cannot open the outbox ${file}: EEXIST`);
  });
});
