/** Counters of the ingest path, published retained on `<base>/stats/ingest`. */
export class IngestStats {
  /** Messages on device topics handled by an ingest rule. */
  ruleMessages = 0;
  /** Messages on `<base>/metrics/...`. */
  metricMessages = 0;
  /** Metrics accepted on the metric topics. */
  metricsAccepted = 0;
  /** Rejections by reason (a message can hold several bad lines). */
  readonly rejected: Record<string, number> = {};
  deadlettered = 0;
  /** Rejections not republished because the dead-letter rate limit was reached. */
  deadletterSuppressed = 0;
  /** Rule messages without a timestamp at `timestampPath`, dated with their receive time. */
  timestampFallbacks = 0;
  /** Republishing a converted device message failed (broker closing, remote unreachable). */
  republishFailed = 0;

  countRejection(reason: string): void {
    this.rejected[reason] = (this.rejected[reason] ?? 0) + 1;
  }

  get rejectedTotal(): number {
    return Object.values(this.rejected).reduce((sum, n) => sum + n, 0);
  }

  toJSON(): Record<string, unknown> {
    return {
      ruleMessages: this.ruleMessages,
      metricMessages: this.metricMessages,
      metricsAccepted: this.metricsAccepted,
      rejectedTotal: this.rejectedTotal,
      rejected: { ...this.rejected },
      deadlettered: this.deadlettered,
      deadletterSuppressed: this.deadletterSuppressed,
      republishFailed: this.republishFailed,
      timestampFallbacks: this.timestampFallbacks,
      at: new Date().toISOString(),
    };
  }
}
