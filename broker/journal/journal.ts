/**
 * The intake journal: busbar's promise that a PUBACK (or PUBREC) for a metric message means the
 * message is on disk. The broker writes each such QoS 1/2 message here before acknowledging it
 * (broker/journal/aedes-hooks.ts). The journal forgets a message at a checkpoint, once every durable
 * stage (ingest rules, the durable InfluxDB outboxes, the history store: core/runtime/durability.ts) has
 * committed what it took; segments left by a crash are replayed through the bus at the next start
 * (replay.ts). Replayed messages keep their arrival time and the stores ignore or overwrite a
 * point they already have, so a replay adds nothing twice.
 *
 * Segments are files `<16-digit number>.seg` in the journal folder, written in order; at each
 * checkpoint a new one is started and the older ones are deleted once the stages have flushed.
 */
import { mkdir, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { DurableStages } from '../../core/runtime/durability.js';
import { errorMessage } from '../../core/runtime/errors.js';
import type { Logger } from '../../core/runtime/logger.js';
import { encodeRecord, type JournalRecord } from './record.js';
import { lockFolder } from './lock.js';
import { SegmentWriter } from './segment-writer.js';

const SEGMENT_RE = /^(\d{16})\.seg$/;
/** How long a checkpoint waits for acknowledged messages to reach the stages' queues. */
const PUBLISH_WAIT_MS = 2_000;
/** How long a checkpoint waits for the stages to commit. */
const FLUSH_TIMEOUT_MS = 30_000;

/** A segment being written or waiting to be forgotten; counts its messages not yet published. */
export class Segment {
  inFlight = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(
    readonly number: number,
    readonly file: string,
    readonly writer: SegmentWriter | undefined,
  ) {}

  /** A message of this segment reached the broker's subscribers. */
  published(): void {
    this.inFlight -= 1;
    if (this.inFlight === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  /** Resolves true once no message of this segment waits to be published, false after `ms`. */
  whenPublished(ms: number): Promise<boolean> {
    if (this.inFlight <= 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      this.idleWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}

export interface JournalOptions {
  readonly path: string;
  readonly fsync: boolean;
  /** True for the topics whose QoS 1/2 messages are journaled. */
  readonly wants: (topic: string) => boolean;
  readonly log: Logger;
}

export interface JournalStats {
  /** Messages journaled since the start. */
  appended: number;
  /** Writes that failed (each closed its client's connection without an acknowledgement). */
  appendFailed: number;
  /** Checkpoints that forgot segments, and those that could not. */
  checkpoints: number;
  checkpointsFailed: number;
  /** Messages replayed at the start from segments a crash left. */
  replayed: number;
}

export class IntakeJournal {
  readonly stats: JournalStats = {
    appended: 0,
    appendFailed: 0,
    checkpoints: 0,
    checkpointsFailed: 0,
    replayed: 0,
  };
  /** Written before this start: replayed, then forgotten at the first checkpoint after that. */
  private recovered: Segment[];
  /** Full segments whose messages the stages may still hold. */
  private sealed: Segment[] = [];
  /** Segments a stage that stopped or crashed may have lost messages of: kept for the next start. */
  private pinned: Segment[] = [];
  private active!: Segment;
  private opening: Promise<void> | undefined;
  private checkpointing: Promise<void> | undefined;
  private closed = false;

  private constructor(
    private readonly options: JournalOptions,
    recovered: Segment[],
    private nextNumber: number,
    private readonly lock: { release(): Promise<void> },
  ) {
    this.recovered = recovered;
  }

  /** Opens the folder (creating it), takes note of the segments a previous run left, starts a new one. */
  static async open(options: JournalOptions): Promise<IntakeJournal> {
    await mkdir(options.path, { recursive: true });
    const lock = await lockFolder(options.path);
    const numbers = (await readdir(options.path))
      .map((name) => SEGMENT_RE.exec(name)?.[1])
      .filter((digits): digits is string => digits !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
    const recovered = numbers.map(
      (number) => new Segment(number, segmentFile(options.path, number), undefined),
    );
    const journal = new IntakeJournal(options, recovered, (numbers.at(-1) ?? 0) + 1, lock);
    await journal.startSegment();
    return journal;
  }

  wants(topic: string): boolean {
    return this.options.wants(topic);
  }

  /** Segment files a previous run left, oldest first, for replay. */
  get recoveredFiles(): string[] {
    return this.recovered.map((segment) => segment.file);
  }

  /**
   * Writes a message; `done` is called once it is on disk, with the segment that holds it (whose
   * `published` the caller calls once the broker has handed the message to its subscribers), or
   * with the error that kept it from being written.
   */
  append(record: JournalRecord, done: (error: Error | undefined, segment: Segment) => void): void {
    const segment = this.active;
    const writer = segment.writer!;
    segment.inFlight += 1;
    writer.append(encodeRecord(record), (error) => {
      if (error === undefined) {
        this.stats.appended += 1;
        return done(undefined, segment);
      }
      this.stats.appendFailed += 1;
      segment.published(); // it never will be: it is not counted as waiting
      this.options.log.error(
        { path: this.options.path, reason: error.message },
        'cannot write to the intake journal; the message is not acknowledged (its client is disconnected and sends it again)',
      );
      // The failed segment may hold part of a record: continue in a new one.
      if (segment === this.active) void this.rotate().catch(() => undefined);
      done(error, segment);
    });
  }

  /** Replay of the recovered segments is complete: they can be forgotten at the next checkpoint. */
  recoveredReplayed(messages: number): void {
    this.stats.replayed += messages;
    this.sealed.unshift(...this.recovered);
    this.recovered = [];
  }

  /**
   * Starts a new segment, asks every stage to commit, then deletes the older segments. Nothing
   * happens while nothing was journaled since the last one. A failure leaves the segments in place
   * (logged, counted); a later checkpoint deletes them once the stages have committed again.
   */
  checkpoint(stages: DurableStages): Promise<void> {
    this.checkpointing ??= this.runCheckpoint(stages)
      .catch((error: unknown) => {
        this.stats.checkpointsFailed += 1;
        this.options.log.warn({ reason: errorMessage(error) }, 'journal checkpoint failed');
      })
      .finally(() => (this.checkpointing = undefined));
    return this.checkpointing;
  }

  /** Closes the segment being written; the files stay for the next start. */
  async close(): Promise<void> {
    this.closed = true;
    await this.checkpointing?.catch(() => undefined);
    await this.opening;
    await this.active.writer?.close();
    // An empty last segment holds nothing to replay: leave no file for the next start to read.
    if (this.active.writer?.bytes === 0) await unlink(this.active.file).catch(() => undefined);
    await this.lock.release();
  }

  private async runCheckpoint(stages: DurableStages): Promise<void> {
    const { log } = this.options;
    if (this.active.inFlight > 0 || (this.active.writer?.bytes ?? 0) > 0) await this.rotate();
    const sealed = [...this.sealed];
    if (sealed.length === 0) return;
    const departedBefore = stages.departed;
    for (const segment of sealed) {
      if (!(await segment.whenPublished(PUBLISH_WAIT_MS))) {
        // Journaled, then refused before publication (a QoS 1 whose PUBACK could not be written, a
        // QoS 2 over Aedes' inbound limit): never acknowledged, so its client sends it again.
        log.debug(
          { segment: segment.file, unpublished: segment.inFlight },
          'journaled messages never published',
        );
      }
    }
    try {
      await withTimeout(stages.flushAll(), FLUSH_TIMEOUT_MS, 'the stores did not commit in time');
    } catch (error) {
      this.stats.checkpointsFailed += 1;
      log.warn(
        { reason: errorMessage(error), segments: sealed.length },
        'journal checkpoint failed: its messages are kept until the stores commit',
      );
      return;
    }
    this.sealed = this.sealed.filter((segment) => !sealed.includes(segment));
    if (stages.departed !== departedBefore) {
      // A stage stopped meanwhile and may have lost what it held in memory: keep these for a replay.
      this.pinned.push(...sealed);
      log.warn(
        { segments: this.pinned.length },
        'a durable component stopped during a journal checkpoint: its segments are kept and replayed at the next start',
      );
      return;
    }
    for (const segment of sealed) {
      await unlink(segment.file).catch((error: unknown) =>
        log.warn({ file: segment.file, reason: errorMessage(error) }, 'cannot delete a journal segment'),
      );
    }
    this.stats.checkpoints += 1;
  }

  private async rotate(): Promise<void> {
    if (this.closed) return;
    const previous = this.active;
    await this.startSegment();
    this.sealed.push(previous);
    await previous.writer?.close();
  }

  private async startSegment(): Promise<void> {
    const number = this.nextNumber++;
    const file = segmentFile(this.options.path, number);
    this.opening = SegmentWriter.create(file, this.options.fsync).then((writer) => {
      this.active = new Segment(number, file, writer);
    });
    await this.opening;
  }
}

function segmentFile(path: string, number: number): string {
  return join(path, `${String(number).padStart(16, '0')}.seg`);
}

async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
