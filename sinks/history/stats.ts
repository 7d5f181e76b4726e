/** Counters of the history store, published retained on `<base>/stats/history`. */
export class HistoryStats {
  /** Points (one field of one line) received from the bus. */
  pointsReceived = 0;
  /** Points stored; a repeat of an existing (series, time) is not stored again. */
  pointsWritten = 0;
  /** Points lost because the file stayed unwritable for too long. */
  pointsDropped = 0;
  transactions = 0;
  failedTransactions = 0;
  lastWriteMs = 0;
  maxWriteMs = 0;
  prunedPoints = 0;
  prunedRollups = 0;
  lastPruneMs = 0;
  /** Since when writes have been failing (0: they are not). */
  failingSince = 0;

  recordWrite(ms: number): void {
    this.transactions++;
    this.lastWriteMs = ms;
    if (ms > this.maxWriteMs) this.maxWriteMs = ms;
  }

  toJSON(extra: {
    pending: number;
    inFlightBatches: number;
    series: number;
    fileBytes: number;
  }): Record<string, unknown> {
    return {
      state: this.failingSince === 0 ? 'ok' : 'retrying',
      pointsReceived: this.pointsReceived,
      pointsWritten: this.pointsWritten,
      pointsDropped: this.pointsDropped,
      pending: extra.pending,
      inFlightBatches: extra.inFlightBatches,
      series: extra.series,
      fileBytes: extra.fileBytes,
      transactions: this.transactions,
      failedTransactions: this.failedTransactions,
      lastWriteMs: round(this.lastWriteMs),
      maxWriteMs: round(this.maxWriteMs),
      prunedPoints: this.prunedPoints,
      prunedRollups: this.prunedRollups,
      lastPruneMs: this.lastPruneMs,
      at: new Date().toISOString(),
    };
  }
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
