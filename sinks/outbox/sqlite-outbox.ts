/**
 * The durable outbox (`durable: true`): batches in a SQLite file, committed before the sink counts
 * them as accepted, so neither a database outage nor a busbar restart loses them. Ids increase
 * (AUTOINCREMENT never reuses one), so delivery resumes in the order the batches were accepted.
 */
import type Database from 'better-sqlite3';
import {
  NOTHING_DROPPED,
  type BodyEncoding,
  type Dropped,
  type Outbox,
  type OutboxBatch,
  type OutboxDepth,
} from './outbox.js';
import { openSqliteFile } from '../../core/util/sqlite-file.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS batches (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  created INTEGER NOT NULL,
  lines INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  encoding TEXT NOT NULL,
  body BLOB NOT NULL
);
`;

export class SqliteOutbox implements Outbox {
  private readonly db: Database.Database;
  private readonly statements;
  private lines: number;
  private bytes: number;
  private batches: number;
  private held: number | undefined;

  private constructor(
    db: Database.Database,
    private readonly maxBytes: number,
  ) {
    this.db = db;
    this.statements = {
      insert: db.prepare(
        'INSERT INTO batches (created, lines, bytes, encoding, body) VALUES (?, ?, ?, ?, ?)',
      ),
      first: db.prepare('SELECT id, created, lines, bytes, encoding, body FROM batches ORDER BY id LIMIT 1'),
      oldestOther: db.prepare('SELECT id, lines, bytes FROM batches WHERE id != ? ORDER BY id LIMIT 1'),
      oldestCreated: db.prepare('SELECT created FROM batches ORDER BY id LIMIT 1').pluck(),
      remove: db.prepare('DELETE FROM batches WHERE id = ? RETURNING lines, bytes'),
      totals: db.prepare(
        'SELECT count(*) AS batches, coalesce(sum(lines), 0) AS lines, coalesce(sum(bytes), 0) AS bytes FROM batches',
      ),
    };
    const totals = this.statements.totals.get() as { batches: number; lines: number; bytes: number };
    this.batches = totals.batches;
    this.lines = totals.lines;
    this.bytes = totals.bytes;
  }

  /** Opens (or creates) the outbox file; an unusable file is a non-retryable error naming it. */
  static open(file: string, maxBytes: number): SqliteOutbox {
    return new SqliteOutbox(openSqliteFile(file, SCHEMA, 'the outbox'), maxBytes);
  }

  append(body: Buffer, lines: number, encoding: BodyEncoding): Dropped {
    const bytes = body.length;
    this.statements.insert.run(Date.now(), lines, bytes, encoding, body);
    this.batches++;
    this.lines += lines;
    this.bytes += bytes;
    return this.bytes > this.maxBytes ? this.shrink() : NOTHING_DROPPED;
  }

  take(): OutboxBatch | undefined {
    const batch = this.statements.first.get() as OutboxBatch | undefined;
    this.held = batch?.id;
    return batch;
  }

  remove(id: number): void {
    const row = this.statements.remove.get(id) as { lines: number; bytes: number } | undefined;
    if (row) this.forget(row);
    if (this.held === id) this.held = undefined;
  }

  release(): void {
    this.held = undefined;
  }

  depth(): OutboxDepth {
    const created =
      this.batches > 0 ? (this.statements.oldestCreated.get() as number | undefined) : undefined;
    return {
      batches: this.batches,
      lines: this.lines,
      bytes: this.bytes,
      oldestAgeMs: created === undefined ? 0 : Date.now() - created,
    };
  }

  close(): void {
    this.db.close();
  }

  /** Drops the oldest batches (never the held one, nor the one just appended) until within the limit. */
  private shrink(): Dropped {
    let batches = 0;
    let lines = 0;
    const drop = this.db.transaction(() => {
      const kept = this.held === undefined ? 1 : 2;
      while (this.bytes > this.maxBytes && this.batches > kept) {
        const oldest = this.statements.oldestOther.get(this.held ?? -1) as {
          id: number;
          lines: number;
          bytes: number;
        };
        this.statements.remove.get(oldest.id);
        this.forget(oldest);
        batches++;
        lines += oldest.lines;
      }
    });
    drop();
    return { batches, lines };
  }

  private forget(row: { lines: number; bytes: number }): void {
    this.batches--;
    this.lines -= row.lines;
    this.bytes -= row.bytes;
  }
}
