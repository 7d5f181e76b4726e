/**
 * The history store's SQLite file: its tables and how it is opened. Times are integer microseconds
 * since the epoch everywhere in the file: exact in a JavaScript number until the year 2255, and fine
 * enough that two readings of one series in the same millisecond stay two points.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { BusbarError, errorMessage } from '../../core/runtime/errors.js';

export type HistoryDatabase = Database.Database;

/** Bumped when the tables change; an older file is migrated, a newer one refused. */
const SCHEMA_VERSION = 1;

export const ROLLUP_TABLES = { '1m': 'rollup_1m', '1h': 'rollup_1h' } as const;

/** One rollup table: min, max, sum, count and last value of a series per time bucket. */
function rollupTableSql(table: string): string {
  return `CREATE TABLE IF NOT EXISTS ${table} (
  series_id INTEGER NOT NULL,
  ts INTEGER NOT NULL,
  v_min REAL NOT NULL,
  v_max REAL NOT NULL,
  v_sum REAL NOT NULL,
  n INTEGER NOT NULL,
  v_last REAL NOT NULL,
  last_ts INTEGER NOT NULL,
  PRIMARY KEY (series_id, ts)
) WITHOUT ROWID;
`;
}

// WITHOUT ROWID tables keyed by (series, time): one B-tree per table, clustered so that a range query
// or a per-series prune reads adjacent pages. A point is one field of one line: `value` holds a
// number, or text for string fields (SQLite stores each value with its own type).
const SCHEMA = `
CREATE TABLE IF NOT EXISTS series (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  source TEXT NOT NULL,
  measurement TEXT NOT NULL,
  field TEXT NOT NULL,
  tags TEXT NOT NULL,
  type TEXT NOT NULL,
  created INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS series_source ON series (source);
CREATE TABLE IF NOT EXISTS points (
  series_id INTEGER NOT NULL,
  ts INTEGER NOT NULL,
  value,
  PRIMARY KEY (series_id, ts)
) WITHOUT ROWID;
${Object.values(ROLLUP_TABLES).map(rollupTableSql).join('')}CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value NOT NULL) WITHOUT ROWID;
`;

export type RollupName = keyof typeof ROLLUP_TABLES;
export const MINUTE_US = 60_000_000;
export const HOUR_US = 3_600_000_000;

/** The retention windows a writer runs with, stored in the file so readers choose tables the same way. */
export interface Retention {
  rawUs: number;
  minuteUs: number;
  hourUs: number;
}

/** Opens (and for a writer, creates and migrates) the history file; errors name the file and the cause. */
export function openHistoryDatabase(file: string, options: { readonly?: boolean } = {}): HistoryDatabase {
  let db: HistoryDatabase;
  try {
    if (!options.readonly) mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    db = new Database(file, {
      readonly: options.readonly ?? false,
      fileMustExist: options.readonly ?? false,
    });
  } catch (error) {
    throw new BusbarError('BUSBAR_PERSISTENCE', `cannot open history store ${file}: ${errorMessage(error)}`, {
      cause: error,
      retryable: false,
    });
  }
  try {
    // A reader waits for a checkpoint instead of failing; the writer is the only writer.
    db.pragma('busy_timeout = 5000');
    if (options.readonly) {
      checkVersion(db, file);
      return db;
    }
    db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode: a commit survives a crash of busbar; only a power cut can lose the last ones.
    db.pragma('synchronous = NORMAL');
    db.pragma('cache_size = -32768');
    // Checkpoint every ~40 MB of log instead of every ~4 MB: a large transaction dirties many pages
    // (one per series it touches), and each checkpoint copies them back and syncs the file.
    db.pragma('wal_autocheckpoint = 10000');
    checkVersion(db, file);
    db.exec(SCHEMA);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
    return db;
  } catch (error) {
    db.close();
    if (error instanceof BusbarError) throw error;
    throw new BusbarError('BUSBAR_PERSISTENCE', `history store ${file}: ${errorMessage(error)}`, {
      cause: error,
      retryable: false,
    });
  }
}

function checkVersion(db: HistoryDatabase, file: string): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new BusbarError(
      'BUSBAR_PERSISTENCE',
      `history store ${file} was written by a newer busbar (schema ${version}, this one reads ${SCHEMA_VERSION})`,
    );
  }
}

export function writeRetention(db: HistoryDatabase, retention: Retention): void {
  const put = db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)');
  db.transaction(() => {
    put.run('raw_retention_us', retention.rawUs);
    put.run('minute_retention_us', retention.minuteUs);
    put.run('hour_retention_us', retention.hourUs);
  })();
}

/** The retention a writer stored; a file never written by a writer keeps everything everywhere. */
export function readRetention(db: HistoryDatabase): Retention {
  const rows = db.prepare('SELECT key, value FROM meta').all() as { key: string; value: number }[];
  const get = (key: string): number => rows.find((row) => row.key === key)?.value ?? Number.MAX_SAFE_INTEGER;
  return {
    rawUs: get('raw_retention_us'),
    minuteUs: get('minute_retention_us'),
    hourUs: get('hour_retention_us'),
  };
}

/** Microseconds since the epoch for a nanosecond timestamp (floored, exact). */
export function nsToUs(ns: bigint): number {
  return Number(ns / 1000n) - (ns < 0n && ns % 1000n !== 0n ? 1 : 0);
}

export function nowUs(): number {
  return Date.now() * 1000;
}
