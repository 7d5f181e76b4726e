/**
 * The delivery record: the notification store in the data directory. Every notification on its way
 * to a target is a `pending` row (one per notification and primary target, saying which target of
 * its chain holds it now and when it was first queued) until the receiver accepted it (`delivered`)
 * or it expired or was refused everywhere (`dead`). A restart queues the pending rows again, with
 * their age, and never a delivered one: nothing is lost and nothing repeated, except a send that
 * succeeded in the instant before a crash, before its row changed (delivery is at least once).
 */
import type Database from 'better-sqlite3';
import { openSqliteFile } from '../../core/util/sqlite-file.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS deliveries (
  id TEXT NOT NULL,
  first TEXT NOT NULL,
  target TEXT NOT NULL,
  route TEXT NOT NULL,
  topic TEXT NOT NULL,
  payload TEXT NOT NULL,
  chain TEXT NOT NULL,
  created INTEGER NOT NULL,
  state TEXT NOT NULL,
  updated INTEGER NOT NULL,
  PRIMARY KEY (id, first)
);
CREATE INDEX IF NOT EXISTS deliveries_state ON deliveries (state, updated);
`;

/** Delivered and dead rows are kept this long, then pruned at start. */
const KEEP_MS = 7 * 24 * 3600 * 1000;

export type DeliveryState = 'pending' | 'delivered' | 'dead';

export interface RecordedDelivery {
  readonly id: string;
  /** The route's target it was first queued for; `chain[0]`. */
  readonly first: string;
  /** The target that holds it now. */
  readonly target: string;
  readonly route: string;
  readonly topic: string;
  /** The parsed payload (JSON or text). */
  readonly payload: unknown;
  /** The primary target, then the route's failover targets, in order. */
  readonly chain: readonly string[];
  /** When it was first queued, ms since the epoch. */
  readonly created: number;
}

interface Row extends Omit<RecordedDelivery, 'payload' | 'chain'> {
  payload: string;
  chain: string;
}

export class DeliveryRecord {
  private readonly db: Database.Database;
  private readonly upsert: Database.Statement;
  private readonly update: Database.Statement;

  constructor(file: string, now: number = Date.now()) {
    this.db = openSqliteFile(file, SCHEMA, 'the notification record');
    this.migrate();
    this.db.prepare("DELETE FROM deliveries WHERE state != 'pending' AND updated < ?").run(now - KEEP_MS);
    this.upsert = this.db.prepare(
      `INSERT INTO deliveries (id, first, target, route, topic, payload, chain, created, state, updated)
       VALUES (@id, @first, @target, @route, @topic, @payload, @chain, @created, 'pending', @updated)
       ON CONFLICT (id, first) DO UPDATE SET target = excluded.target, updated = excluded.updated
       WHERE state = 'pending'`,
    );
    this.update = this.db.prepare(
      "UPDATE deliveries SET state = ?, updated = ? WHERE id = ? AND first = ? AND state = 'pending'",
    );
  }

  /** Records that `entry.target` holds the notification now (first queued, or moved along its chain). */
  pending(entry: RecordedDelivery): void {
    this.upsert.run({
      ...entry,
      payload: JSON.stringify(entry.payload),
      chain: JSON.stringify(entry.chain),
      updated: Date.now(),
    });
  }

  /** The end of a delivery; a row once delivered or dead never becomes pending again. */
  done(id: string, first: string, state: Exclude<DeliveryState, 'pending'>): void {
    this.update.run(state, Date.now(), id, first);
  }

  /** Notifications still pending, oldest first: what the previous run did not finish. */
  pendingDeliveries(): RecordedDelivery[] {
    const rows = this.db
      .prepare(
        `SELECT id, first, target, route, topic, payload, chain, created FROM deliveries
         WHERE state = 'pending' ORDER BY created, rowid`,
      )
      .all() as Row[];
    return rows.map((row) => ({
      ...row,
      payload: JSON.parse(row.payload) as unknown,
      chain: JSON.parse(row.chain) as string[],
    }));
  }

  /** Rows by state, for tests and stats. */
  counts(): Partial<Record<DeliveryState, number>> {
    const rows = this.db.prepare('SELECT state, count(*) AS n FROM deliveries GROUP BY state').all() as {
      state: DeliveryState;
      n: number;
    }[];
    return Object.fromEntries(rows.map((row) => [row.state, row.n]));
  }

  /**
   * The table of earlier versions held one row per notification and target, with no age: its queued
   * rows are moved over once, aged from their last change, and it is dropped.
   */
  private migrate(): void {
    const old = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'notifications'";
    if (!this.db.prepare(old).get()) return;
    const rows = this.db
      .prepare(
        "SELECT id, target, route, topic, payload, failover, updated FROM notifications WHERE state = 'queued'",
      )
      .all() as {
      id: string;
      target: string;
      route: string;
      topic: string;
      payload: string;
      failover: string;
      updated: number;
    }[];
    const insert = this.db.prepare(
      `INSERT OR IGNORE INTO deliveries (id, first, target, route, topic, payload, chain, created, state, updated)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)`,
    );
    this.db.transaction(() => {
      for (const row of rows) {
        const chain = JSON.stringify([row.target, ...(JSON.parse(row.failover) as string[])]);
        insert.run(
          row.id,
          row.target,
          row.target,
          row.route,
          row.topic,
          row.payload,
          chain,
          row.updated,
          row.updated,
        );
      }
      this.db.exec('DROP TABLE notifications');
    })();
  }

  close(): void {
    this.db.close();
  }
}
