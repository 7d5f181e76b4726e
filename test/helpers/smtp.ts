/**
 * A real SMTP server in the test process (smtp-server): it accepts one login and parses every mail
 * it receives with mailparser, keeping `cid:` links as written (mailparser would swap them for data:
 * URLs) so tests can check inline charts.
 */
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface TestSmtp {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Listens on a free loopback port for user `busbar` with `password`; parsed mails go to `mails`,
 * every login attempt (`user:password`) to `logins`.
 */
export async function startTestSmtp(
  password: string,
  mails: ParsedMail[],
  logins: string[] = [],
): Promise<TestSmtp> {
  const server = new SMTPServer({
    authOptional: false,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    onAuth(auth, _session, callback) {
      logins.push(`${auth.username}:${auth.password ?? ''}`);
      if (auth.username === 'busbar' && auth.password === password) callback(null, { user: 'busbar' });
      else callback(new Error('invalid login'));
    },
    onData(stream, _session, callback) {
      simpleParser(stream, { keepCidLinks: true })
        .then((mail) => {
          mails.push(mail);
          callback();
        })
        .catch((error: unknown) => callback(error as Error));
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
