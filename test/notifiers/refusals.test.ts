/**
 * What a receiver's answer means for the retry: Telegram's 429 `retry_after` is waited out (not the
 * short backoff), an SMTP 4xx is transient and retried, an SMTP 5xx is a permanent refusal that goes
 * to the failover target at once instead of being retried for hours. Real SMTP server, the fake Bot
 * API, a real webhook server; the router on a real in-process busbar.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { notifiersSchema } from '../../notifiers/config.js';
import { Router } from '../../notifiers/router/router.js';
import { startTestBusbar, type TestBusbar } from '../helpers/busbar.js';
import { captureLog, type CapturedLog } from '../helpers/log-capture.js';
import { waitFor } from '../helpers/mqtt-clients.js';
import { CHAT, receiverServices, startReceivers, TOKEN, type Receivers } from './outage-harness.js';

let busbar: TestBusbar | undefined;
let receivers: Receivers | undefined;
let router: Router | undefined;

afterEach(async () => {
  await router?.stop();
  await busbar?.stop();
  await receivers?.close();
  router = busbar = receivers = undefined;
});

async function start(
  targets: string[],
  failover: string[] = [],
): Promise<{ router: Router; log: CapturedLog }> {
  receivers = await startReceivers();
  busbar = await startTestBusbar({ agent: { enabled: false } });
  const log = captureLog('debug');
  const config = notifiersSchema.parse({
    services: receiverServices(receivers),
    routes: [{ name: 'door', topic: 'home/#', message: '{payload}', targets, failover }],
    delivery: { retries: 3, retryInitial: '10ms', retryMax: '20ms', timeout: '2s' },
  });
  router = new Router(config, { log: log.logger, bus: busbar.running.bus });
  return { router, log };
}

const stats = (router: Router, target: string) => router.stats().targets[target]!;

describe('receiver answers', () => {
  it("waits out Telegram's 429 retry_after instead of its own short backoff", async () => {
    const { router, log } = await start(['telegram:ops']);
    receivers!.api.rateLimitSends(CHAT, 1, 1);
    router.route('home/door/open', Buffer.from('opened'));
    await waitFor(() => stats(router, 'telegram:ops').delivered === 1, 'the message after the 429', 10_000);
    expect(receivers!.api.callsOf('sendMessage')).toHaveLength(2);
    // retryInitial is 10 ms: the wait taken is Telegram's second.
    expect(log.find('notification retry').map((line) => line.delay)).toEqual([1000]);
    expect(log.text()).not.toContain(TOKEN);
  });

  it('retries an SMTP 4xx until the mail is accepted', async () => {
    const { router } = await start(['email:ops'], ['webhook:backup']);
    receivers!.refusals.push(451, 421);
    router.route('home/door/open', Buffer.from('opened'));
    await waitFor(() => stats(router, 'email:ops').delivered === 1, 'the mail after two 4xx', 10_000);
    expect(receivers!.mails).toHaveLength(1);
    expect(stats(router, 'email:ops')).toMatchObject({ retried: 2, refused: 0, failed: 0 });
    expect(receivers!.hook.requests).toHaveLength(0);
  });

  it('sends an SMTP 5xx refusal to the failover at once, without retrying it', async () => {
    const { router, log } = await start(['email:ops'], ['webhook:backup']);
    receivers!.refusals.push(550);
    router.route('home/door/open', Buffer.from('opened'));
    await waitFor(() => receivers!.hook.requests.length === 1, 'the failover webhook', 10_000);
    expect(stats(router, 'email:ops')).toMatchObject({ retried: 0, refused: 1, delivered: 0 });
    expect(receivers!.mails).toHaveLength(0);
    expect(log.find('notification refused')[0]?.err).toContain('550');
  });

  it('counts a refusal with nowhere else to go as dead at once', async () => {
    const { router } = await start(['email:ops']);
    receivers!.refusals.push(554);
    router.route('home/door/open', Buffer.from('opened'));
    await waitFor(() => router.stats().dead === 1, 'the refusal dead', 10_000);
    expect(stats(router, 'email:ops')).toMatchObject({ retried: 0, refused: 1 });
  });
});
