/**
 * The delivery record: every notification queued on a target is a row until it is delivered or given
 * up on, so a restart sends again what was still queued (nothing lost) and not what was delivered
 * (nothing repeated, except one whose send succeeded just before a crash: delivery is at least once).
 */
import type Database from 'better-sqlite3';
import { openSqliteFile } from '../../core/sqlite-file.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS notifications (
  id TEXT NOT NULL,
  target TEXT NOT NULL,
  route TEXT NOT NULL,
  topic TEXT NOT NULL,
  payload TEXT NOT NULL,
  failover TEXT NOT NULL,
  state TEXT NOT NULL,
  updated INTEGER NOT NULL,
  PRIMARY KEY (id, target)
);
CREATE INDEX IF NOT EXISTS notifications_state ON notifications (state, updated);
`;

/** Delivered and failed rows are kept this long, then pruned at start. */
const KEEP_MS = 7 * 24 * 3600 * 1000;

export interface RecordedNotification {
  readonly id: string;
  readonly target: string;
  readonly route: string;
  readonly topic: string;
  /** The parsed payload (JSON or text). */
  readonly payload: unknown;
  readonly failover: readonly string[];
}

interface Row {
  id: string;
  target: string;
  route: string;
  topic: string;
  payload: string;
  failover: string;
}

export class DeliveryRecord {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;
  private readonly update: Database.Statement;

  constructor(file: string, now: number = Date.now()) {
    this.db = openSqliteFile(file, SCHEMA, 'the notification record');
    this.db.prepare("DELETE FROM notifications WHERE state != 'queued' AND updated < ?").run(now - KEEP_MS);
    this.insert = this.db.prepare(
      `INSERT OR REPLACE INTO notifications (id, target, route, topic, payload, failover, state, updated)
       VALUES (@id, @target, @route, @topic, @payload, @failover, 'queued', @updated)`,
    );
    this.update = this.db.prepare(
      'UPDATE notifications SET state = ?, updated = ? WHERE id = ? AND target = ?',
    );
  }

  queued(entry: RecordedNotification): void {
    this.insert.run({
      ...entry,
      payload: JSON.stringify(entry.payload),
      failover: JSON.stringify(entry.failover),
      updated: Date.now(),
    });
  }

  done(id: string, target: string, state: 'delivered' | 'failed'): void {
    this.update.run(state, Date.now(), id, target);
  }

  /** Notifications still queued, oldest first: what the previous run did not finish. */
  pending(): RecordedNotification[] {
    const rows = this.db
      .prepare(
        "SELECT id, target, route, topic, payload, failover FROM notifications WHERE state = 'queued' ORDER BY updated, rowid",
      )
      .all() as Row[];
    return rows.map((row) => ({
      ...row,
      payload: JSON.parse(row.payload) as unknown,
      failover: JSON.parse(row.failover) as string[],
    }));
  }

  /** Rows by state, for tests and stats. */
  counts(): Record<string, number> {
    const rows = this.db.prepare('SELECT state, count(*) AS n FROM notifications GROUP BY state').all() as {
      state: string;
      n: number;
    }[];
    return Object.fromEntries(rows.map((row) => [row.state, row.n]));
  }

  close(): void {
    this.db.close();
  }
}
