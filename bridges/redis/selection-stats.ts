import type { RefusalCode } from './refusals.js';

/** Counters of one selection, published in `<base>/stats/<name>` under the selection's name. */
export class SelectionStats {
  /** Completed reads (SCAN + values) of the whole selection. */
  reads = 0;
  /** Reads that failed (Redis away, command timeout). */
  failedReads = 0;
  /** Keys found by the last SCAN. */
  keys = 0;
  metrics = 0;
  /** Values that could not become a metric (dead-lettered), in all and by reason. */
  badValues = 0;
  readonly refused: Partial<Record<RefusalCode, number>> = {};
  /** Metrics without a timestamp at `timestampPath`, dated with the read time. */
  timestampFallbacks = 0;
  /** Keys gone between SCAN and read. */
  vanished = 0;
  /** Keys the glob matched but the pattern did not. */
  unmatched = 0;
  /** Keyspace notifications received, and the keys read because of them. */
  notifications = 0;
  notifiedReads = 0;
  publishErrors = 0;
  lastReadMs: number | undefined;
  lastError: string | undefined;
  lastReadAt: string | undefined;

  toJSON(): Record<string, unknown> {
    return Object.fromEntries(Object.entries(this));
  }
}
