/**
 * `busbar passwd -b/-c/-D/-U`: a `broker.passwordFile` kept like `mosquitto_passwd` keeps its file.
 * Each change is written to a temporary file (mode 0600) and renamed over the old one, so the broker
 * reading it on SIGHUP never sees half a file. Errors name the file and line, never a password.
 */
import { chmod, readFile, rename, writeFile } from 'node:fs/promises';
import { hashPassword } from '../broker/passwords.js';
import { isPasswordHash, parsePasswordFile, passwordFileLine } from '../broker/password-file.js';
import type { ParsedPasswordFile } from '../broker/password-file.js';

/** A refusal to print as it is; the file was not changed. */
export class PasswordFileError extends Error {}

export const MIN_PASSWORD_LENGTH = 8;

export function passwordTooShort(password: string): boolean {
  return password.length < MIN_PASSWORD_LENGTH;
}

async function readLines(file: string, missingIsEmpty: boolean): Promise<ParsedPasswordFile> {
  let text = '';
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (!(missingIsEmpty && code === 'ENOENT')) {
      throw new PasswordFileError(`cannot read ${file} (${code ?? 'unreadable'})`);
    }
  }
  const parsed = parsePasswordFile(text);
  const [problem] = parsed.problems;
  if (problem) throw new PasswordFileError(`${file} line ${problem.line}: ${problem.message}`);
  return parsed;
}

async function writeLines(file: string, lines: readonly string[]): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  const text = lines.length === 0 ? '' : `${lines.join('\n')}\n`;
  try {
    await writeFile(temporary, text, { mode: 0o600 });
    await chmod(temporary, 0o600);
    await rename(temporary, file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unwritable';
    throw new PasswordFileError(`cannot write ${file} (${code})`);
  }
}

/** Adds `username` or replaces its password; `create` starts from an empty file. Says which it did. */
export async function setPassword(
  file: string,
  username: string,
  password: string,
  create: boolean,
): Promise<'added' | 'updated'> {
  const parsed = create ? parsePasswordFile('') : await readLines(file, true);
  let line: string;
  try {
    line = passwordFileLine(username, await hashPassword(password));
  } catch (error) {
    throw new PasswordFileError((error as Error).message);
  }
  const entry = parsed.entries.find((candidate) => candidate.username === username);
  if (entry) parsed.lines[entry.line - 1] = line;
  else parsed.lines.push(line);
  await writeLines(file, parsed.lines);
  return entry ? 'updated' : 'added';
}

export async function deleteUser(file: string, username: string): Promise<void> {
  const parsed = await readLines(file, false);
  const entry = parsed.entries.find((candidate) => candidate.username === username);
  if (!entry) throw new PasswordFileError(`user "${username}" is not in ${file}`);
  parsed.lines.splice(entry.line - 1, 1);
  await writeLines(file, parsed.lines);
}

/** Hashes every clear-text password in place; hashed lines stay as they are. Returns how many it hashed. */
export async function hashClearPasswords(file: string): Promise<number> {
  const parsed = await readLines(file, false);
  const clear = parsed.entries.filter((entry) => !isPasswordHash(entry.secret));
  // All or nothing: check every line before rewriting any.
  const short = clear.find((entry) => passwordTooShort(entry.secret));
  if (short) {
    throw new PasswordFileError(
      `${file} line ${short.line}: the password of user "${short.username}" has fewer than ${MIN_PASSWORD_LENGTH} characters`,
    );
  }
  for (const entry of clear) {
    parsed.lines[entry.line - 1] = passwordFileLine(entry.username, await hashPassword(entry.secret));
  }
  if (clear.length > 0) await writeLines(file, parsed.lines);
  return clear.length;
}
