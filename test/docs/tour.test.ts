/**
 * The README's five-minute tour, run as written: its config (the SMTP server swapped for one in this
 * process, and a short group wait so the test need not sit through 30 s) in a real in-process busbar;
 * the fridge's temperature published over MQTT as the tour does; the alarm mail and the resolved
 * mail arrive at the SMTP server.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ParsedMail } from 'mailparser';
import { parse } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../config/schema.js';
import { startTestBusbar, type TestBusbar } from '../helpers/busbar.js';
import { Clients, waitFor } from '../helpers/mqtt-clients.js';
import { startTestSmtp, type TestSmtp } from '../helpers/smtp.js';
import { fencedBlocks, ROOT } from './markdown.js';

const PASSWORD = 'tour-smtp-pass';

/** The tour's config block: the README's yaml block that sets up the notifiers. */
function tourConfig(): ConfigInput & { notifiers: { services: { email: Record<string, object> } } } {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const tour = readme.split('\n## A five-minute tour\n')[1]?.split('\n## ')[0] ?? '';
  const block = fencedBlocks(tour).find((candidate) => candidate.language === 'yaml');
  if (!block) throw new Error("README.md's tour has no yaml block");
  return parse(block.body.replace('${SMTP_PASSWORD}', PASSWORD)) as ReturnType<typeof tourConfig>;
}

const clients = new Clients();
let busbar: TestBusbar | undefined;
let smtp: TestSmtp | undefined;

afterEach(async () => {
  await clients.closeAll();
  await busbar?.stop();
  await smtp?.close();
  busbar = smtp = undefined;
});

describe("the README's five-minute tour", () => {
  it('mails the alarm when the fridge warms, and its resolution', async () => {
    const mails: ParsedMail[] = [];
    smtp = await startTestSmtp(PASSWORD, mails);
    const config = tourConfig();
    const [name, target] = Object.entries(config.notifiers.services.email)[0]!;
    config.notifiers.services.email[name] = {
      ...target,
      host: '127.0.0.1',
      port: smtp.port,
      security: 'none',
    };
    busbar = await startTestBusbar({
      ...config,
      agent: { enabled: false }, // this machine's metrics play no part in the tour's alarm
      alarms: { ...config.alarms, notify: { groupWait: '100ms', groupInterval: '500ms' } },
    });

    const client = await clients.connect(busbar.url);
    await client.publishAsync('busbar/metrics/fridge/temperature', '4.2', { qos: 1 });
    await client.publishAsync('busbar/metrics/fridge/temperature', '9.5', { qos: 1 });
    await waitFor(() => mails.length >= 1, 'the alarm mail', 30_000);
    expect(mails[0]!.subject).toContain('fridge');
    expect(mails[0]!.text).toContain('9.5');

    await client.publishAsync('busbar/metrics/fridge/temperature', '4.2', { qos: 1 });
    await waitFor(() => mails.length >= 2, 'the resolved mail', 30_000);
    expect(`${mails[1]!.subject} ${mails[1]!.text}`.toLowerCase()).toContain('resolved');
  }, 90_000);
});
