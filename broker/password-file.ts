/**
 * The password file of `broker.passwordFile`, as `mosquitto_passwd` keeps one: a line per user,
 * `user:<scrypt hash>`; blank lines and lines starting with `#` are kept and ignored. `busbar passwd
 * -U` also reads `user:cleartext` lines, to hash them in place.
 */
import { parsePasswordHash } from './passwords.js';

export interface PasswordFileEntry {
  readonly username: string;
  /** A scrypt hash, or clear text in a file not yet converted with `busbar passwd -U`. */
  readonly secret: string;
  /** 1-based, for error messages. */
  readonly line: number;
}

export interface PasswordFileProblem {
  readonly line: number;
  readonly message: string;
}

export interface ParsedPasswordFile {
  /** Every line as read, so a rewrite keeps comments and order. */
  readonly lines: string[];
  readonly entries: PasswordFileEntry[];
  readonly problems: PasswordFileProblem[];
}

export function isPasswordHash(secret: string): boolean {
  return parsePasswordHash(secret) !== undefined;
}

export function parsePasswordFile(text: string): ParsedPasswordFile {
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  const entries: PasswordFileEntry[] = [];
  const problems: PasswordFileProblem[] = [];
  const seen = new Map<string, number>();
  lines.forEach((text, index) => {
    const line = index + 1;
    if (text.trim() === '' || text.startsWith('#')) return;
    const colon = text.indexOf(':');
    // Never quote the line: its second half may be a clear password.
    if (colon <= 0) return void problems.push({ line, message: 'not `user:password-hash`' });
    const username = text.slice(0, colon);
    const secret = text.slice(colon + 1);
    if (secret === '') return void problems.push({ line, message: `no password for user "${username}"` });
    const earlier = seen.get(username);
    if (earlier !== undefined) {
      return void problems.push({ line, message: `user "${username}" is already on line ${earlier}` });
    }
    seen.set(username, line);
    entries.push({ username, secret, line });
  });
  return { lines, entries, problems };
}

/** `user:secret`, refusing a username the file could not read back. */
export function passwordFileLine(username: string, secret: string): string {
  if (username === '' || username.includes(':') || /[\r\n]/.test(username) || username.startsWith('#')) {
    throw new Error(`the username "${username}" cannot be written to a password file`);
  }
  return `${username}:${secret}`;
}
