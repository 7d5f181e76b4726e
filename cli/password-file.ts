/** `--password-file`: a password read from a file, so it never appears on a command line or in `ps`. */
import { readFile } from 'node:fs/promises';
import { errorMessage } from '../core/runtime/errors.js';

/** Thrown for a bad flag or an unreadable file; the message says which and why. */
export class UsageError extends Error {}

/**
 * The password from `--password-file`: the file's content without its final line break, as `echo
 * secret > file` writes it. Errors name the file, never its content.
 */
export async function readPasswordFile(file: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? errorMessage(error);
    throw new UsageError(`cannot read the password file ${file} (${code})`);
  }
  const password = text.replace(/\r?\n$/, '');
  if (password === '') throw new UsageError(`the password file ${file} is empty`);
  return password;
}
