import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { BusbarError, errorMessage } from '../runtime/errors.js';

/**
 * Opens (or creates) a SQLite file for a durable queue: its folder is created, WAL journal, and
 * `synchronous = NORMAL` (in WAL mode a committed row survives a crash of busbar, not a power cut),
 * then `schema` is applied. An unusable file is a non-retryable error naming `what` and the file.
 */
export function openSqliteFile(file: string, schema: string, what: string): Database.Database {
  let db: Database.Database | undefined;
  try {
    mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec(schema);
    return db;
  } catch (error) {
    db?.close();
    throw new BusbarError('BUSBAR_PERSISTENCE', `cannot open ${what} ${file}: ${errorMessage(error)}`, {
      cause: error,
    });
  }
}
