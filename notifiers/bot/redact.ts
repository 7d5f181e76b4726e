/**
 * The bot token is part of every Bot API URL (`/bot<token>/<method>`), so any error text that
 * quotes a URL would carry it. Everything about a Telegram failure goes through here before a log.
 */

/** `text` with every occurrence of the token replaced. */
export function redactToken(text: string, token: string | undefined): string {
  if (!token) return text;
  return text.split(token).join('<token>');
}

/** An error's message and its causes, in one line, without the token. */
export function describeError(error: unknown, token: string | undefined): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 4; depth++) {
    if (current instanceof Error) {
      const code = (current as { code?: unknown }).code;
      parts.push(typeof code === 'string' ? `${current.message} (${code})` : current.message);
      current = current.cause;
    } else {
      parts.push(String(current));
      break;
    }
  }
  return redactToken(parts.join(': '), token);
}
