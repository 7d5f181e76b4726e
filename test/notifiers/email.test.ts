/**
 * Email through a real SMTP server started in the test (smtp-server), parsed with mailparser:
 * subject, text and HTML bodies, authentication; the SMTP server down → failover. A route on a real
 * topic of a real in-process busbar.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ParsedMail } from 'mailparser';
import { startTestSmtp, type TestSmtp } from '../helpers/smtp.js';
import type { z } from 'zod';
import { emailTargetSchema } from '../../notifiers/services/email/config.js';
import { startTestBusbar, type TestBusbar } from '../helpers/busbar.js';
import { Clients, waitFor } from '../helpers/mqtt-clients.js';
import { startHookServer, type HookServer } from './webhook-server.js';

const clients = new Clients();
let busbar: TestBusbar | undefined;
let smtp: TestSmtp | undefined;
let hook: HookServer | undefined;

afterEach(async () => {
  await clients.closeAll();
  await busbar?.stop();
  await smtp?.close();
  await hook?.close();
  busbar = smtp = hook = undefined;
});

const PASSWORD = 'smtp-pass-91c2';

async function startSmtp(mails: ParsedMail[], logins: string[]): Promise<number> {
  smtp = await startTestSmtp(PASSWORD, mails, logins);
  return smtp.port;
}

function emailTarget(port: number): z.input<typeof emailTargetSchema> {
  return {
    host: '127.0.0.1',
    port,
    security: 'none' as const,
    username: 'busbar',
    password: PASSWORD,
    from: 'busbar@example.org',
    to: ['ops@example.org'],
  };
}

describe('email', () => {
  it('sends a text and an HTML body, with values escaped in the HTML only', async () => {
    const mails: ParsedMail[] = [];
    const logins: string[] = [];
    const port = await startSmtp(mails, logins);
    busbar = await startTestBusbar({
      agent: { enabled: false },
      notifiers: {
        enabled: true,
        services: { email: { ops: emailTarget(port) } },
        routes: [
          {
            name: 'door',
            topic: 'home/+/open',
            title: 'Door {topic[1]} opened',
            message: 'by {payload.who}',
            targets: ['email:ops'],
          },
        ],
      },
    });
    const client = await clients.connect(busbar.url);
    await client.publishAsync('home/door/open', JSON.stringify({ who: '<Ann & Bob>' }));
    await waitFor(() => mails.length === 1, 'the mail', 10_000);
    const mail = mails[0]!;
    expect(logins).toEqual([`busbar:${PASSWORD}`]);
    expect(mail.subject).toBe('Door door opened');
    expect(mail.from?.text).toBe('busbar@example.org');
    expect(mail.text?.trim()).toBe('by <Ann & Bob>');
    expect(mail.html).toContain('by &lt;Ann &amp; Bob&gt;');
    expect(mail.html).not.toContain('<Ann');
    expect(mail.headers.get('x-busbar-notification')).toMatch(/^door\//);
    expect(busbar.log.text()).not.toContain(PASSWORD);
  });

  it('fails over to a webhook when the SMTP server is down, counted, the password never logged', async () => {
    const mails: ParsedMail[] = [];
    const port = await startSmtp(mails, []);
    await smtp!.close(); // down: nothing listens
    smtp = undefined;
    hook = await startHookServer();
    busbar = await startTestBusbar({
      agent: { enabled: false },
      notifiers: {
        enabled: true,
        services: { email: { ops: emailTarget(port) }, webhook: { backup: { url: hook.url } } },
        routes: [
          {
            name: 'door',
            topic: 'home/#',
            message: '{payload}',
            targets: ['email:ops'],
            failover: ['webhook:backup'],
          },
        ],
        delivery: { retries: 1, retryInitial: '10ms', retryMax: '20ms', timeout: '2s' },
      },
    });
    const client = await clients.connect(busbar.url);
    await client.publishAsync('home/door/open', 'opened');
    await waitFor(() => hook!.requests.length === 1, 'the failover webhook', 10_000);
    expect(hook.requests[0]!.body).toMatchObject({ message: 'opened', route: 'door' });
    expect(busbar.log.find('notification failing over')).toHaveLength(1);
    expect(busbar.log.find('notification retry')).toHaveLength(1);
    expect(busbar.log.text()).not.toContain(PASSWORD);
  });
});
