/**
 * A real SMTP server in the test process (smtp-server): it accepts one login and parses every mail
 * it receives with mailparser, keeping `cid:` links as written (mailparser would swap them for data:
 * URLs) so tests can check inline charts. It can be taken down and brought back on the same port
 * (an outage), and made to answer mails with an SMTP error code (4xx transient, 5xx permanent).
 */
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface TestSmtp {
  readonly port: number;
  /** Stops listening and drops open connections (421), as a server going down does. */
  pause(): Promise<void>;
  /** Listens again on the same port. */
  resume(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Listens on a free loopback port for user `busbar` with `password`; parsed mails go to `mails`,
 * every login attempt (`user:password`) to `logins`. While `refusals` holds reply codes, each mail
 * is answered with the first of them (taken off) instead of being accepted.
 */
export async function startTestSmtp(
  password: string,
  mails: ParsedMail[],
  logins: string[] = [],
  refusals: number[] = [],
): Promise<TestSmtp> {
  const create = (): SMTPServer =>
    new SMTPServer({
      authOptional: false,
      allowInsecureAuth: true,
      disabledCommands: ['STARTTLS'],
      // A pooled client connection would otherwise hold a pause open for 30 s.
      closeTimeout: 50,
      onAuth(auth, _session, callback) {
        logins.push(`${auth.username}:${auth.password ?? ''}`);
        if (auth.username === 'busbar' && auth.password === password) callback(null, { user: 'busbar' });
        else callback(new Error('invalid login'));
      },
      onData(stream, _session, callback) {
        simpleParser(stream, { keepCidLinks: true })
          .then((mail) => {
            const code = refusals.shift();
            if (code === undefined) {
              mails.push(mail);
              return callback();
            }
            callback(Object.assign(new Error(`refused with ${code}`), { responseCode: code }));
          })
          .catch((error: unknown) => callback(error as Error));
      },
    });
  // A closed SMTPServer answers 421 to every connection for good: a resumed one is a new instance.
  let server = create();
  const listen = (port: number): Promise<void> =>
    new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  await listen(0);
  const port = (server.server.address() as AddressInfo).port;
  const close = (): Promise<void> => new Promise<void>((resolve) => server.close(() => resolve()));
  const resume = (): Promise<void> => {
    server = create();
    return listen(port);
  };
  return { port, pause: close, resume, close };
}
