/**
 * Replays the segments a crash left: every message in them was acknowledged, and some may not have
 * reached the stores. They are published again on the in-process bus, with their first arrival time
 * (core/bus/receive-time.ts), before the journal may forget them.
 */
import { readFile } from 'node:fs/promises';
import type { Bus } from '../../core/bus/bus.js';
import { errorMessage } from '../../core/runtime/errors.js';
import type { Logger } from '../../core/runtime/logger.js';
import { stampReceiveTime } from '../../core/bus/receive-time.js';
import type { IntakeJournal } from './journal.js';
import { decodeRecords } from './record.js';

/** Publishes in flight at most during a replay: enough to keep the stores busy, bounded in memory. */
const WINDOW = 512;

export async function replayJournal(journal: IntakeJournal, bus: Bus, log: Logger): Promise<number> {
  const files = journal.recoveredFiles;
  if (files.length === 0) return 0;
  let messages = 0;
  let torn = 0;
  for (const file of files) {
    let data: Buffer;
    try {
      data = await readFile(file);
    } catch (error) {
      log.error({ file, reason: errorMessage(error) }, 'cannot read a journal segment; it is kept');
      throw error;
    }
    const { records, tornBytes } = decodeRecords(data);
    torn += tornBytes;
    let window: Promise<void>[] = [];
    for (const record of records) {
      stampReceiveTime(record.payload, record.receivedNs);
      window.push(bus.publish(record.topic, record.payload, { qos: 1 }));
      if (window.length >= WINDOW) {
        await Promise.all(window);
        window = [];
      }
    }
    await Promise.all(window);
    messages += records.length;
  }
  journal.recoveredReplayed(messages);
  log.info(
    { segments: files.length, messages, ...(torn > 0 ? { tornBytesIgnored: torn } : {}) },
    'replayed acknowledged messages from the intake journal',
  );
  return messages;
}
