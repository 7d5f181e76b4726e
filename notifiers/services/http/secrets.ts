/**
 * The parts of an HTTP target's config that may be secret, so that a receiver's answer quoted in an
 * error (which is logged and dead-lettered) cannot carry them: a receiver may echo the request it
 * refused. Header values, the URL's credentials, path segments and query values (Slack, Discord and
 * Teams hooks carry their token in the URL), and body fields named like a token, key, secret,
 * password or user (Pushover's `token` and `user`, PagerDuty's `routing_key`).
 */
import type { BodyValue, HttpTargetConfig } from './config.js';

const SECRET_FIELD = /token|key|secret|pass|auth|user/i;
/** Shorter pieces are words (`Bearer`, `v2`), not secrets; masking them would garble the answer. */
const MIN_SECRET = 8;

function urlPieces(url: string): string[] {
  const pieces: string[] = [];
  try {
    // The URL may hold `{value}`s: they are not secrets, and URL parsing keeps them as text.
    const parsed = new URL(url);
    pieces.push(parsed.username, parsed.password, ...parsed.pathname.split('/'));
    for (const value of parsed.searchParams.values()) pieces.push(value);
  } catch {
    pieces.push(url);
  }
  return pieces.flatMap((piece) => [piece, safeDecode(piece)]);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function bodySecrets(body: BodyValue | undefined, field = ''): string[] {
  if (typeof body === 'string') return SECRET_FIELD.test(field) ? [body] : [];
  if (Array.isArray(body)) return body.flatMap((item) => bodySecrets(item, field));
  if (body !== null && typeof body === 'object')
    return Object.entries(body).flatMap(([key, value]) => bodySecrets(value, key));
  return [];
}

export function configSecrets(config: HttpTargetConfig): string[] {
  const requests = [config, config.resolved ?? {}];
  const pieces = requests.flatMap((request) => [
    ...Object.values(request.headers ?? {}).flatMap((value) => [value, ...value.split(/\s+/)]),
    ...(request.url === undefined ? [] : urlPieces(request.url)),
    ...bodySecrets(request.body),
  ]);
  // Longest first, so a token is masked whole before any part of it.
  return [...new Set(pieces)]
    .filter((piece) => piece.length >= MIN_SECRET && !/[{}]/.test(piece))
    .sort((a, b) => b.length - a.length);
}

/** `text` with every secret replaced by `***`. */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  let masked = text;
  for (const secret of secrets) masked = masked.split(secret).join('***');
  return masked;
}
