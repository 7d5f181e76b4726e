/**
 * The components that take part in durable acknowledgement. A QoS 1/2 message busbar acknowledges is
 * first written to the intake journal (broker/journal); the journal may forget it once every stage
 * here has committed what it was given. Two kinds, flushed in this order:
 * - transforms (ingest rules) turn a message into metrics and publish them: flushed, everything they
 *   took has been handed to the stores;
 * - stores (a durable InfluxDB outbox, the history store) commit to disk: flushed, it is on disk.
 */
export interface DurableStage {
  /** For logs: the component id. */
  readonly name: string;
  /**
   * Resolves once everything the stage took before the call is committed (a store) or handed on (a
   * transform); rejects when it cannot be (the disk fails): the journal then keeps it.
   */
  flush(): Promise<void>;
}

export type StageKind = 'transform' | 'store';

export class DurableStages {
  private readonly stages = { transform: new Set<DurableStage>(), store: new Set<DurableStage>() };
  private departures = 0;
  private readonly expected = { transform: 0, store: 0 };

  /**
   * How many stages of a kind this process runs when all is well. A flush while fewer are running
   * (one failed to start, or is being restarted) fails: the journal must not forget what the absent
   * stage never got.
   */
  expect(kind: StageKind, count: number): void {
    this.expected[kind] = count;
  }

  /** Adds a stage for as long as its component runs; call the returned function when it stops. */
  register(kind: StageKind, stage: DurableStage): () => void {
    this.stages[kind].add(stage);
    return () => {
      if (this.stages[kind].delete(stage)) this.departures += 1;
    };
  }

  /**
   * Counts stages that left. A stage that left (stopped or crashed) may have lost what it held in
   * memory: a flush that saw one leave must not let the journal forget anything.
   */
  get departed(): number {
    return this.departures;
  }

  get storeCount(): number {
    return this.stages.store.size;
  }

  /** Flushes the transforms, then the stores; rejects with the first failure. */
  async flushAll(): Promise<void> {
    for (const kind of ['transform', 'store'] as const) {
      if (this.stages[kind].size < this.expected[kind])
        throw new Error(
          `${this.expected[kind] - this.stages[kind].size} durable ${kind} stage(s) not running`,
        );
    }
    await Promise.all([...this.stages.transform].map((stage) => stage.flush()));
    await Promise.all([...this.stages.store].map((stage) => stage.flush()));
  }
}
