/**
 * The web's reads of the history store file: a read-only reader opened per request (an export's
 * cursor must not share a connection), whether the store opens (for /health), and whether a source
 * has series (for its page). Until the history sink has created its file, reading is a 503.
 */
import { errorMessage } from '../core/errors.js';
import { HistoryReader } from '../sinks/history/reader.js';
import { HttpError } from './http.js';

function openReader(file: string): HistoryReader {
  try {
    return HistoryReader.open(file);
  } catch (error) {
    throw new HttpError(503, 'unavailable', `history store: ${errorMessage(error)}`);
  }
}

export class HistoryAccess {
  /** `file` undefined: the store is off. */
  constructor(private readonly file: string | undefined) {}

  /** Runs `action` with a reader opened on first use and closed after; 404 when the store is off. */
  async withReader<T>(action: (reader: () => HistoryReader) => Promise<T>): Promise<T> {
    const file = this.file;
    if (file === undefined) throw new HttpError(404, 'not found', 'the history store is off');
    let reader: HistoryReader | undefined;
    try {
      return await action(() => (reader ??= openReader(file)));
    } finally {
      reader?.close();
    }
  }

  /** Why the store does not open; undefined when it does or is off. */
  problem(): string | undefined {
    if (this.file === undefined) return undefined;
    try {
      HistoryReader.open(this.file).close();
      return undefined;
    } catch (error) {
      return errorMessage(error);
    }
  }

  /** Whether the store holds series of `source` (false when it is off or not created yet). */
  async hasSource(source: string): Promise<boolean> {
    if (this.file === undefined) return false;
    try {
      return await this.withReader(async (reader) =>
        reader()
          .sources()
          .some((entry) => entry.source === source),
      );
    } catch (error) {
      // The store not created yet knows no source; any other problem is the request's to report.
      if (error instanceof HttpError && error.status === 503) return false;
      throw error;
    }
  }
}
