/**
 * The journal's segment writer: a record is in the file when its callback runs, with fdatasync
 * (write and flush in the thread pool) and without (the write a synchronous system call), and
 * records given while a group is written follow it in order.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeRecords, encodeRecord } from '../../broker/journal/record.js';
import { SegmentWriter } from '../../broker/journal/segment-writer.js';
import { tempDir } from '../helpers/process.js';

const encoded = (n: number): Buffer =>
  encodeRecord({
    receivedNs: BigInt(n),
    qos: 1,
    topic: `bench/h${n}`,
    payload: Buffer.from(`{"value":${n}}`),
  });

describe.each([true, false])('segment writer, fsync %s', (fsync) => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => {
    dir = await tempDir('segment-writer');
  });
  afterEach(async () => {
    await dir.remove();
  });

  it('has each record in the file, in order, when its callback runs', async () => {
    const file = path.join(dir.path, '1.seg');
    const writer = await SegmentWriter.create(file, fsync);
    const seenInFile: number[] = [];
    const append = (n: number): Promise<void> =>
      new Promise((resolve, reject) =>
        writer.append(encoded(n), (error) => {
          if (error) return reject(error);
          const topics = decodeRecords(readFileSync(file)).records.map((r) => r.topic);
          seenInFile.push(topics.indexOf(`bench/h${n}`));
          // A record given from a callback joins the next group, after this one.
          if (n === 2) void append(9).then(resolve, reject);
          else resolve();
        }),
      );
    await Promise.all([append(1), append(2), append(3)]);
    await writer.close();

    expect(seenInFile).toEqual([0, 1, 2, 3]);
    const records = decodeRecords(readFileSync(file)).records;
    expect(records.map((r) => r.topic)).toEqual(['bench/h1', 'bench/h2', 'bench/h3', 'bench/h9']);
    expect(writer.bytes).toBe(readFileSync(file).length);
  });

  it('refuses appends once closed', async () => {
    const writer = await SegmentWriter.create(path.join(dir.path, '2.seg'), fsync);
    await writer.close();
    const error = await new Promise<Error | undefined>((resolve) => writer.append(encoded(1), resolve));
    expect(error?.message).toBe('the journal segment is closed');
    expect(writer.usable).toBe(false);
  });
});
