/**
 * The bot token is part of every Bot API URL (`/bot<token>/<method>`), so any error text that
 * quotes a URL would carry it. Everything about a Telegram failure goes through here before a log.
 */
import { ParseError, TelegramApiError } from 'node-telegram-bot-api';

/** `text` with every occurrence of the token replaced. */
export function redactToken(text: string, token: string | undefined): string {
  if (!token) return text;
  return text.split(token).join('<token>');
}

/** What one error says: the Bot API's answer as its HTTP status and text, a code in brackets. */
function describeOne(error: Error): string {
  if (error instanceof TelegramApiError)
    return `Bot API answered HTTP ${error.errorCode}: ${error.description}`;
  if (error instanceof ParseError && error.responseText !== undefined)
    return `${error.message}: ${error.responseText.slice(0, 200)}`;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? `${error.message} (${code})` : error.message;
}

/** An error's message and its causes, in one line, without the token. */
export function describeError(error: unknown, token: string | undefined): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 4; depth++) {
    if (current instanceof Error) {
      parts.push(describeOne(current));
      current = current.cause;
    } else {
      parts.push(String(current));
      break;
    }
  }
  return redactToken(parts.join(': '), token);
}
