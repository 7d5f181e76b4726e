import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { hashPassword } from '../broker/passwords.js';

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

/** `busbar passwd USER`: prints a users entry for the config file, with the password hashed. */
export async function passwdCommand(username: string): Promise<number> {
  const password = await readPassword(`Password for ${username}: `);
  if (password.length < 8) {
    process.stderr.write('busbar passwd: the password must have at least 8 characters\n');
    return 1;
  }
  const hash = await hashPassword(password);
  process.stdout.write(
    `# under broker.users:\n- username: ${JSON.stringify(username)}\n  password: "${hash}"\n`,
  );
  return 0;
}
