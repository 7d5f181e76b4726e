/**
 * The store-and-forward queue of one bridge: every message bound for the remote, in a SQLite file,
 * until the remote has it. Ids increase (AUTOINCREMENT never reuses one), so messages leave in the
 * order they came, also after a busbar restart; a QoS 1 message is deleted only after its PUBACK.
 *
 * Writes are grouped: appends and deletes made during one event-loop turn commit in one transaction
 * at the end of the turn (a commit per message would cap the bridge at a few thousand per second).
 * What a crash can lose is therefore one turn of appends; what it can repeat is one turn of PUBACKs,
 * which QoS 1 allows.
 */
import type Database from 'better-sqlite3';
import { openSqliteFile } from '../core/util/sqlite-file.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS messages (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  topic TEXT NOT NULL,
  payload BLOB NOT NULL,
  qos INTEGER NOT NULL,
  retain INTEGER NOT NULL
);
`;

export interface OutgoingMessage {
  readonly topic: string;
  readonly payload: Buffer;
  readonly qos: 0 | 1;
  readonly retain: boolean;
}

export interface QueuedMessage extends OutgoingMessage {
  readonly id: number;
}

interface Row {
  id: number;
  topic: string;
  payload: Buffer;
  qos: number;
  retain: number;
}

export class BridgeQueue {
  private readonly statements;
  private readonly commit: (appends: OutgoingMessage[], removals: number[]) => void;
  private pendingAppends: OutgoingMessage[] = [];
  private pendingRemovals: number[] = [];
  private flushScheduled = false;
  private stored: number;
  /** Highest id handed out by `read`: those messages are with the MQTT client and are never dropped. */
  private handedOut = 0;
  /** Messages dropped because the queue was full, since it was opened. */
  dropped = 0;

  private constructor(
    private readonly db: Database.Database,
    private readonly limit: number,
  ) {
    this.statements = {
      insert: db.prepare('INSERT INTO messages (topic, payload, qos, retain) VALUES (?, ?, ?, ?)'),
      remove: db.prepare('DELETE FROM messages WHERE id = ?'),
      read: db.prepare(
        'SELECT id, topic, payload, qos, retain FROM messages WHERE id > ? ORDER BY id LIMIT ?',
      ),
      dropOldest: db.prepare(
        'DELETE FROM messages WHERE id IN (SELECT id FROM messages WHERE id > ? ORDER BY id LIMIT ?)',
      ),
      count: db.prepare('SELECT count(*) FROM messages').pluck(),
    };
    this.stored = this.statements.count.get() as number;
    this.commit = db.transaction((appends: OutgoingMessage[], removals: number[]) => {
      for (const id of removals) this.stored -= this.statements.remove.run(id).changes;
      for (const m of appends) this.statements.insert.run(m.topic, m.payload, m.qos, m.retain ? 1 : 0);
      this.stored += appends.length;
      const excess = this.stored - this.limit;
      if (excess > 0) {
        const dropped = this.statements.dropOldest.run(this.handedOut, excess).changes;
        this.stored -= dropped;
        this.dropped += dropped;
      }
    });
  }

  /** Opens (or creates) the queue file; an unusable file is a non-retryable error naming it. */
  static open(file: string, limit: number): BridgeQueue {
    return new BridgeQueue(openSqliteFile(file, SCHEMA, 'the bridge queue'), limit);
  }

  /** Messages waiting, stored or about to be. */
  get size(): number {
    return this.stored + this.pendingAppends.length - this.pendingRemovals.length;
  }

  append(message: OutgoingMessage): void {
    this.pendingAppends.push(message);
    this.scheduleFlush();
  }

  /** Forgets a message the remote has (QoS 1: acknowledged; QoS 0: written). */
  remove(id: number): void {
    this.pendingRemovals.push(id);
    this.scheduleFlush();
  }

  /** Up to `limit` messages after id `afterId`, oldest first; they count as handed out. */
  read(afterId: number, limit: number): QueuedMessage[] {
    this.flush();
    const rows = this.statements.read.all(afterId, limit) as Row[];
    const last = rows.at(-1);
    if (last) this.handedOut = Math.max(this.handedOut, last.id);
    return rows.map((row) => ({
      id: row.id,
      topic: row.topic,
      payload: row.payload,
      qos: row.qos === 1 ? 1 : 0,
      retain: row.retain === 1,
    }));
  }

  /** Commits pending appends and removals now. */
  flush(): void {
    if (this.pendingAppends.length === 0 && this.pendingRemovals.length === 0) return;
    const appends = this.pendingAppends;
    const removals = this.pendingRemovals;
    this.pendingAppends = [];
    this.pendingRemovals = [];
    this.commit(appends, removals);
  }

  close(): void {
    this.flush();
    this.db.close();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      if (this.db.open) this.flush();
    });
  }
}
