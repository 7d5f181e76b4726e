/**
 * One write request, and what its answer means for the batch: delivered, worth retrying (the server
 * is down, overloaded, or misconfigured for now), rejected for good (the data itself is refused,
 * e.g. a field type conflict), or too large (split it). InfluxDB's write status codes:
 * https://docs.influxdata.com/influxdb/v1/tools/api/#write-http-endpoint and the v2 API reference.
 */
import { errorMessage } from '../../core/runtime/errors.js';
import type { BodyEncoding } from '../outbox/outbox.js';
import type { WriteTarget } from './write-target.js';

export type WriteOutcome =
  | { readonly kind: 'ok'; readonly ms: number }
  | { readonly kind: 'retry'; readonly reason: string; readonly retryAfterMs?: number }
  | { readonly kind: 'rejected'; readonly status: number; readonly reason: string }
  | { readonly kind: 'too-large'; readonly reason: string };

export interface WriteOptions {
  /** How `body` is encoded (sent as Content-Encoding: gzip when compressed). */
  readonly encoding: BodyEncoding;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
}

/** Retry-After is honoured up to this (a server asking for more is treated as asking for this). */
const MAX_RETRY_AFTER_MS = 3_600_000;

export async function postLines(
  target: WriteTarget,
  body: Buffer,
  options: WriteOptions,
): Promise<WriteOutcome> {
  const started = performance.now();
  const headers: Record<string, string> = { 'Content-Type': 'text/plain; charset=utf-8', ...target.headers };
  if (options.encoding === 'gzip') headers['Content-Encoding'] = 'gzip';
  let response: Response;
  try {
    response = await fetch(target.url, {
      method: 'POST',
      headers,
      body,
      signal: AbortSignal.any([options.signal, AbortSignal.timeout(options.timeoutMs)]),
    });
  } catch (error) {
    return { kind: 'retry', reason: `${target.display}: ${networkReason(error, options)}` };
  }
  const status = response.status;
  if (status >= 200 && status < 300) {
    await response.body?.cancel();
    return { kind: 'ok', ms: performance.now() - started };
  }
  const reason = `${target.display}: HTTP ${status} ${await errorText(response)}`;
  // 400: malformed line or field type conflict (1.x partial writes included); 422 (v2): points
  // outside the retention period. Sending them again can never succeed.
  if (status === 400 || status === 422) return { kind: 'rejected', status, reason };
  if (status === 413) return { kind: 'too-large', reason };
  // 401/403/404 (bad token, missing database) need an operator, not a drop: keep the data and retry.
  const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
  return retryAfterMs === undefined ? { kind: 'retry', reason } : { kind: 'retry', reason, retryAfterMs };
}

function networkReason(error: unknown, options: WriteOptions): string {
  if (options.signal.aborted) return 'stopped';
  if (error instanceof DOMException && error.name === 'TimeoutError') {
    return `no answer within ${options.timeoutMs} ms`;
  }
  // undici wraps the socket error (ECONNREFUSED...) as the cause of "fetch failed".
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? errorMessage(error);
}

/** The server's reason: InfluxDB 1.x sends {"error": ...}, 2.x {"message": ...}, others plain text. */
async function errorText(response: Response): Promise<string> {
  let text: string;
  try {
    text = (await response.text()).trim();
  } catch (error) {
    return `(body unreadable: ${errorMessage(error)})`;
  }
  const message = text.startsWith('{') ? jsonMessage(text) : undefined;
  if (message !== undefined) return message;
  return text.length > 2_000 ? `${text.slice(0, 2_000)}...` : text;
}

function jsonMessage(text: string): string | undefined {
  let parsed: { error?: unknown; message?: unknown };
  try {
    parsed = JSON.parse(text) as { error?: unknown; message?: unknown };
  } catch (error) {
    // Not JSON after all: the caller reports the text itself.
    return error instanceof SyntaxError ? undefined : errorMessage(error);
  }
  const message = parsed.error ?? parsed.message;
  return typeof message === 'string' ? message : undefined;
}

/** Retry-After as seconds or an HTTP date (RFC 9110, 10.2.3), in milliseconds from now. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  let ms: number;
  if (/^\d+$/.test(text)) ms = Number(text) * 1000;
  else {
    const date = Date.parse(text);
    if (Number.isNaN(date)) return undefined;
    ms = date - now;
  }
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, ms));
}
