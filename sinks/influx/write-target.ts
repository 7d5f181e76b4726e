/**
 * Where and how a sink POSTs line protocol: the write URL with its query, the headers (credentials
 * included) and a URL safe to log. The v1 and v2 sinks differ only here.
 */
import { redactUrl } from '../../core/runtime/logger.js';

export interface WriteTarget {
  /** The full write URL, e.g. http://host:8086/write?db=metrics&precision=ns. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** The URL without credentials, for logs and statistics. */
  readonly display: string;
}

/**
 * Splits credentials out of `base` (fetch refuses URLs that carry them) and appends `path` and
 * `query` to it. Returns the credentials found, if any.
 */
export function writeUrl(
  base: string,
  path: string,
  query: Record<string, string | undefined>,
): { url: string; display: string; username?: string; password?: string } {
  const url = new URL(base);
  const username = url.username ? decodeURIComponent(url.username) : undefined;
  const password = url.password ? decodeURIComponent(url.password) : undefined;
  url.username = '';
  url.password = '';
  url.pathname = `${url.pathname.replace(/\/+$/, '')}${path}`;
  for (const [key, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(key, value);
  const text = url.toString();
  return { url: text, display: redactUrl(text), username, password };
}

export function basicAuth(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}
