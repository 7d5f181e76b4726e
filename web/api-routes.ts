/**
 * The JSON API over history (the source `history.read` names, history/), the same queries as
 * `busbar query` and `busbar export` (the CSV export reads the embedded store only):
 *   GET /api/series[?pattern=]            every series (or those matching the glob)
 *   GET /api/sources                      sources and their number of series
 *   GET /api/latest?pattern=              newest value of each matching series
 *   GET /api/range?pattern=&from=&to=&points=   points, raw or in buckets (automatic resolution)
 *   GET /api/export.csv?pattern=&from=&to=&resolution=raw|1m|1h
 */
import type { ServerResponse } from 'node:http';
import { exportCsv, type ExportResolution } from '../sinks/history/csv-export.js';
import { EmbeddedHistory } from '../history/embedded.js';
import type { HistorySource } from '../history/source.js';
import { parseTimeSpec } from '../sinks/history/time-spec.js';
import { HttpError, param, sendJson } from './http.js';

const RESOLUTIONS: readonly string[] = ['raw', '1m', '1h'];

/** The paths handleApiRead answers. */
export const API_READ_PATHS: readonly string[] = [
  '/api/series',
  '/api/sources',
  '/api/latest',
  '/api/range',
  '/api/export.csv',
];

function time(url: URL, name: string, fallback: string, now: number): number {
  try {
    return parseTimeSpec(param(url, name) ?? fallback, now);
  } catch (error) {
    throw new HttpError(400, 'invalid', `${name}: ${(error as Error).message}`);
  }
}

function pattern(url: URL): string {
  const value = param(url, 'pattern');
  if (value === undefined) throw new HttpError(400, 'invalid', 'pattern is required (e.g. web1/*)');
  return value;
}

/** Handles the path if it is an API read route; false when it is not one. */
export async function handleApiRead(
  path: string,
  url: URL,
  response: ServerResponse,
  history: HistorySource,
): Promise<boolean> {
  const now = Date.now();
  switch (path) {
    case '/api/series':
      sendJson(response, 200, await history.series(param(url, 'pattern')));
      return true;
    case '/api/sources':
      sendJson(response, 200, await history.sources());
      return true;
    case '/api/latest':
      sendJson(response, 200, await history.latest(pattern(url)));
      return true;
    case '/api/range': {
      const points = Number(param(url, 'points') ?? '1000');
      if (!Number.isInteger(points) || points < 1 || points > 100_000)
        throw new HttpError(400, 'invalid', 'points: an integer from 1 to 100000');
      const result = await history.range(pattern(url), {
        from: time(url, 'from', '-1h', now),
        to: time(url, 'to', 'now', now),
        maxPoints: points,
      });
      sendJson(response, 200, result);
      return true;
    }
    case '/api/export.csv': {
      const resolution = param(url, 'resolution') ?? 'raw';
      if (!RESOLUTIONS.includes(resolution)) throw new HttpError(400, 'invalid', 'resolution: raw, 1m or 1h');
      const options = {
        pattern: pattern(url),
        from: time(url, 'from', '-1d', now),
        to: time(url, 'to', 'now', now),
        resolution: resolution as ExportResolution,
      };
      // Rollup rows and unbounded raw cursors are the embedded store's; InfluxDB has its own export.
      if (!(history instanceof EmbeddedHistory))
        throw new HttpError(
          501,
          'not implemented',
          `CSV export reads the embedded store only, not ${history.name}`,
        );
      const source = history.reader();
      response.writeHead(200, {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': 'attachment; filename="busbar-export.csv"',
        'cache-control': 'no-store',
      });
      await exportCsv(source, options, response);
      response.end();
      return true;
    }
    default:
      return false;
  }
}
