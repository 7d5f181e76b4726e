/**
 * The intake journal's parts on their own: records that survive a torn write, checkpoints that
 * forget only what every store committed, and one process per journal folder.
 */
import { spawn } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IntakeJournal } from '../../broker/journal/journal.js';
import { decodeRecords, encodeRecord, type JournalRecord } from '../../broker/journal/record.js';
import { DurableStages } from '../../core/runtime/durability.js';
import { captureLog } from '../helpers/log-capture.js';
import { tempDir } from '../helpers/process.js';

const record = (n: number): JournalRecord => ({
  receivedNs: 1_700_000_000_000_000_000n + BigInt(n),
  qos: n % 2 === 0 ? 1 : 2,
  topic: `busbar/metrics/dev${n}/temp`,
  payload: Buffer.from(`temp value=${n}`),
});

describe('journal records', () => {
  it('read back exactly, topic, payload, QoS and arrival time', () => {
    const records = [record(1), record(2), { ...record(3), payload: Buffer.alloc(0) }];
    const decoded = decodeRecords(Buffer.concat(records.map(encodeRecord)));
    expect(decoded.tornBytes).toBe(0);
    expect(decoded.records).toEqual(records);
  });

  it('stop at a record torn by a crash, and at one whose checksum fails', () => {
    const whole = Buffer.concat([record(1), record(2), record(3)].map(encodeRecord));
    const torn = decodeRecords(whole.subarray(0, whole.length - 3));
    expect(torn.records.map((r) => r.topic)).toEqual([record(1).topic, record(2).topic]);
    expect(torn.tornBytes).toBe(encodeRecord(record(3)).length - 3);

    const damaged = Buffer.from(whole);
    const second = encodeRecord(record(1)).length;
    damaged[second + 20] = damaged[second + 20]! ^ 0xff; // inside the second record's body
    const read = decodeRecords(damaged);
    expect(read.records).toHaveLength(1);
    expect(read.tornBytes).toBe(whole.length - second);
  });
});

describe('journal checkpoints', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let journal: IntakeJournal | undefined;
  beforeEach(async () => {
    dir = await tempDir('journal');
  });
  afterEach(async () => {
    await journal?.close();
    journal = undefined;
    await dir.remove();
  });

  const open = (): Promise<IntakeJournal> =>
    IntakeJournal.open({ path: dir.path, fsync: true, wants: () => true, log: captureLog('debug').logger });

  /** Appends and marks published, as the broker does once the message reached its subscribers. */
  const append = (target: IntakeJournal, n: number): Promise<void> =>
    new Promise((resolve, reject) =>
      target.append(record(n), (error, segment) => {
        if (error) return reject(error);
        segment.published();
        resolve();
      }),
    );

  const segments = async (): Promise<string[]> =>
    (await readdir(dir.path)).filter((name) => name.endsWith('.seg')).sort();

  it('forgets what every store committed, and nothing while a store cannot commit', async () => {
    journal = await open();
    const stages = new DurableStages();
    stages.expect('store', 1);
    let failing = true;
    let flushes = 0;
    stages.register('store', {
      name: 'store',
      flush: async () => {
        flushes += 1;
        if (failing) throw new Error('disk full');
      },
    });
    for (let n = 0; n < 5; n++) await append(journal, n);

    await journal.checkpoint(stages);
    expect(flushes).toBe(1);
    expect(journal.stats.checkpointsFailed).toBe(1);
    expect(await segments()).toHaveLength(2); // the written one kept, a new one begun

    failing = false;
    await journal.checkpoint(stages);
    expect(journal.stats.checkpoints).toBe(1);
    expect(await segments()).toHaveLength(1);
    // Nothing journaled since: a checkpoint has nothing to do and asks no store to flush.
    await journal.checkpoint(stages);
    expect(flushes).toBe(2);
  });

  it('keeps everything while a store it expects is not running', async () => {
    journal = await open();
    const stages = new DurableStages();
    stages.expect('store', 2);
    stages.register('store', { name: 'history', flush: async () => undefined });
    await append(journal, 1);
    await journal.checkpoint(stages);
    expect(journal.stats.checkpointsFailed).toBe(1);
    expect(await segments()).toHaveLength(2);
  });

  it('keeps for the next start what a store that left during a checkpoint may have lost', async () => {
    journal = await open();
    const stages = new DurableStages();
    stages.expect('store', 0);
    let leave: () => void = () => undefined;
    leave = stages.register('store', {
      name: 'history',
      flush: async () => leave(), // the store stops (or crashes) while it flushes
    });
    await append(journal, 1);
    await append(journal, 2);
    await journal.checkpoint(stages);
    await journal.close();

    journal = await open();
    expect(journal.recoveredFiles).toHaveLength(1);
    const kept = decodeRecords(await readFile(journal.recoveredFiles[0]!));
    expect(kept.records.map((r) => r.payload.toString())).toEqual(['temp value=1', 'temp value=2']);
  });

  it('refuses a folder another running process journals into, and takes over a dead one', async () => {
    const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      await writeFile(path.join(dir.path, 'lock'), String(sleeper.pid));
      await expect(open()).rejects.toThrow(`in use by process ${sleeper.pid}`);
    } finally {
      sleeper.kill('SIGKILL');
      await new Promise((resolve) => sleeper.once('exit', resolve));
    }
    journal = await open();
    expect(journal.recoveredFiles).toEqual([]);
  });
});
