/**
 * The web's reads of history, through the source `history.read` names (history/): one source per
 * request (an export's cursor must not share a connection), whether it answers (for /health), and
 * whether a source has series (for its page). History that cannot be read now is a 503 saying why.
 */
import { errorMessage } from '../core/runtime/errors.js';
import type { HistoryReadTarget } from '../history/config.js';
import { openHistory } from '../history/open.js';
import { HistoryUnavailableError, type HistorySource } from '../history/source.js';
import { HttpError } from './http.js';

export class HistoryAccess {
  constructor(private readonly target: HistoryReadTarget) {}

  /** Runs `action` with a source closed after; 404 when the store is off. */
  async withSource<T>(action: (source: HistorySource) => Promise<T>): Promise<T> {
    if (this.target.kind === 'off') throw new HttpError(404, 'not found', this.target.why);
    const source = openHistory(this.target);
    try {
      return await action(source);
    } catch (error) {
      if (error instanceof HistoryUnavailableError) {
        throw new HttpError(503, 'unavailable', `history (${source.name}): ${error.message}`);
      }
      throw error;
    } finally {
      source.close();
    }
  }

  /** Why history cannot be read; undefined when it can or the store is off. */
  async problem(): Promise<string | undefined> {
    if (this.target.kind === 'off') return undefined;
    try {
      await this.withSource((source) => source.check());
      return undefined;
    } catch (error) {
      return errorMessage(error);
    }
  }

  /** Whether history holds series of `source` (false when it is off or cannot be read now). */
  async hasSource(source: string): Promise<boolean> {
    if (this.target.kind === 'off') return false;
    try {
      return await this.withSource(async (history) =>
        (await history.sources()).some((entry) => entry.source === source),
      );
    } catch (error) {
      // History not readable knows no source; any other problem is the request's to report.
      if (error instanceof HttpError && error.status === 503) return false;
      throw error;
    }
  }
}
