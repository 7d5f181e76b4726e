import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { hashPassword } from '../broker/passwords.js';
import {
  deleteUser,
  hashClearPasswords,
  MIN_PASSWORD_LENGTH,
  PasswordFileError,
  passwordTooShort,
  setPassword,
} from './passwd-file.js';

/** Reads a password without echoing it on a terminal, or the first line of piped input. */
async function readPassword(prompt: string): Promise<string> {
  const interactive = process.stdin.isTTY === true;
  let muted = false;
  const output = new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const reader = createInterface({ input: process.stdin, output, terminal: interactive });
  try {
    if (interactive) process.stderr.write(prompt);
    muted = interactive;
    const line = await new Promise<string>((resolve, reject) => {
      reader.once('line', resolve);
      reader.once('close', () => reject(new Error('no password given on standard input')));
    });
    if (interactive) process.stderr.write('\n');
    return line;
  } finally {
    reader.close();
  }
}

export interface PasswdOptions {
  /** `-b`: the password is the last argument, not read from the terminal. */
  readonly batch?: boolean;
  /** `-c`: create the password file, or overwrite it. */
  readonly create?: boolean;
  /** `-D`: delete the user from the password file. */
  readonly delete?: boolean;
  /** `-U`: hash the clear-text passwords of a password file in place. */
  readonly update?: boolean;
}

const USAGE = `usage: busbar passwd USER
       busbar passwd [-c] FILE USER
       busbar passwd [-c] -b FILE USER PASSWORD
       busbar passwd -D FILE USER
       busbar passwd -U FILE`;

function fail(message: string): number {
  process.stderr.write(`busbar passwd: ${message}\n`);
  return 1;
}

/**
 * `busbar passwd`, like `mosquitto_passwd`: with a FILE it keeps a `broker.passwordFile`
 * (passwd-file.ts); with a USER alone it prints a `broker.users` entry.
 */
export async function passwdCommand(args: readonly string[], options: PasswdOptions): Promise<number> {
  const modes = [options.batch === true || options.create === true, options.delete, options.update];
  if (modes.filter(Boolean).length > 1) return fail(`-D and -U go alone\n${USAGE}`);
  const wanted = options.update
    ? [1]
    : options.delete
      ? [2]
      : options.batch
        ? [3]
        : options.create
          ? [2]
          : [1, 2];
  if (!wanted.includes(args.length)) return fail(`wrong number of arguments\n${USAGE}`);
  try {
    if (options.update) {
      const hashed = await hashClearPasswords(args[0]!);
      process.stderr.write(`busbar passwd: hashed ${hashed} password(s) in ${args[0]}\n`);
      return 0;
    }
    if (options.delete) {
      await deleteUser(args[0]!, args[1]!);
      process.stderr.write(`busbar passwd: deleted user "${args[1]}" from ${args[0]}\n`);
      return 0;
    }
    if (options.batch || options.create || args.length === 2) {
      const [file, username] = args as [string, string];
      const password = options.batch ? args[2]! : await readPassword(`Password for ${username}: `);
      if (passwordTooShort(password))
        return fail(`the password must have at least ${MIN_PASSWORD_LENGTH} characters`);
      const done = await setPassword(file, username, password, options.create === true);
      process.stderr.write(`busbar passwd: ${done} user "${username}" in ${file}\n`);
      return 0;
    }
  } catch (error) {
    if (error instanceof PasswordFileError) return fail(error.message);
    throw error;
  }
  return printUserEntry(args[0]!);
}

/** `busbar passwd USER`: prints a users entry for the config file, with the password hashed. */
async function printUserEntry(username: string): Promise<number> {
  const password = await readPassword(`Password for ${username}: `);
  if (passwordTooShort(password))
    return fail(`the password must have at least ${MIN_PASSWORD_LENGTH} characters`);
  const hash = await hashPassword(password);
  process.stdout.write(
    `# under broker.users:\n- username: ${JSON.stringify(username)}\n  password: "${hash}"\n`,
  );
  return 0;
}
