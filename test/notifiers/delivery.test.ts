/**
 * Item 3: a bounded queue per target, retries with backoff, a rate limit per target, failover for
 * what still fails, and every notification counted, never dropped silently. Real webhook server.
 */
import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { notifiersSchema, type NotifiersConfigInput } from '../../notifiers/config.js';
import { Router } from '../../notifiers/router/router.js';
import { captureLog, type CapturedLog } from '../helpers/log-capture.js';
import { startTestBusbar, type TestBusbar } from '../helpers/busbar.js';
import { waitFor } from '../helpers/mqtt-clients.js';
import { tempDir } from '../helpers/process.js';
import { startHookServer, type HookServer } from './webhook-server.js';

let busbar: TestBusbar | undefined;
let hook: HookServer | undefined;
let router: Router | undefined;
let dir: Awaited<ReturnType<typeof tempDir>> | undefined;

afterEach(async () => {
  await router?.stop();
  await busbar?.stop();
  await hook?.close();
  await dir?.remove();
  router = busbar = hook = dir = undefined;
});

async function start(
  input: (hookUrl: string, file: string) => NotifiersConfigInput,
): Promise<{ router: Router; log: CapturedLog; file: string }> {
  hook = await startHookServer();
  dir = await tempDir('notify-delivery');
  busbar = await startTestBusbar({ agent: { enabled: false } });
  const log = captureLog('debug');
  const file = `${dir.path}/failover.jsonl`;
  router = new Router(notifiersSchema.parse(input(hook.url, file)), {
    log: log.logger,
    bus: busbar.running.bus,
  });
  return { router, log, file };
}

const fast = { retries: 2, retryInitial: '10ms', retryMax: '40ms', timeout: '2s' };

describe('delivery', () => {
  it('retries a failing target with backoff and delivers once it answers', async () => {
    const { router } = await start((url) => ({
      services: { webhook: { hook: { url } } },
      routes: [{ name: 'r', topic: 'home/#', targets: ['webhook:hook'] }],
      delivery: fast,
    }));
    hook!.statuses.push(500, 503);
    expect(router.route('home/door/open', Buffer.from('{"who":"Ann"}'))).toBe(1);
    await waitFor(() => router.stats().targets['webhook:hook']!.delivered === 1, 'delivery');
    expect(hook!.requests).toHaveLength(3);
    expect(router.stats()).toMatchObject({
      targets: { 'webhook:hook': { delivered: 1, retried: 2, failed: 0, overflowed: 0, queued: 0 } },
      failedOver: 0,
      dead: 0,
    });
  });

  it('hands what still fails to the failover targets, in order, and counts it', async () => {
    const { router, file } = await start((url, path) => ({
      services: {
        webhook: { down: { url: `${url.replace(/:\d+$/, ':1')}/x` }, flaky: { url } },
        file: { spool: { path } },
      },
      routes: [
        {
          name: 'r',
          topic: 'home/#',
          message: '{payload.n}',
          targets: ['webhook:down'],
          failover: ['webhook:flaky', 'file:spool'],
        },
      ],
      delivery: { ...fast, retries: 1 },
    }));
    hook!.statuses.push(500, 500);
    router.route('home/door/open', Buffer.from('{"n":1}'));
    await waitFor(() => router.stats().targets['file:spool']!.delivered === 1, 'failover to the file');
    const stats = router.stats();
    expect(stats.targets['webhook:down']).toMatchObject({ delivered: 0, failed: 1, retried: 1 });
    expect(stats.targets['webhook:flaky']).toMatchObject({ delivered: 0, failed: 1, retried: 1 });
    expect(stats.failedOver).toBe(2);
    expect(stats.dead).toBe(0);
    const line = JSON.parse((await readFile(file, 'utf8')).trim()) as Record<string, unknown>;
    expect(line).toMatchObject({ route: 'r', message: '1', topic: 'home/door/open' });
  });

  it('keeps retrying a target with no failover until maxAge, then counts and logs it dead once', async () => {
    const { router, log } = await start((url) => ({
      services: { webhook: { down: { url: `${url.replace(/:\d+$/, ':1')}/x` } } },
      routes: [{ name: 'r', topic: 'home/#', targets: ['webhook:down'] }],
      delivery: { ...fast, retries: 0, maxAge: '300ms' },
    }));
    router.route('home/door/open', Buffer.from('x'));
    await waitFor(() => router.stats().dead === 1, 'the dead notification counted');
    // `retries: 0` is the count before failing over; with nowhere to fail over to it kept trying.
    expect(router.stats().targets['webhook:down']!.retried).toBeGreaterThan(0);
    expect(log.find('notification dead')).toHaveLength(1);
  });

  it('bounds the queue per target: overflow goes to failover, counted', async () => {
    const { router } = await start((url, path) => ({
      services: { webhook: { slow: { url } }, file: { spool: { path } } },
      routes: [{ name: 'r', topic: 'home/#', targets: ['webhook:slow'], failover: ['file:spool'] }],
      delivery: { ...fast, queueSize: 2, burst: 5 },
    }));
    for (let n = 0; n < 4; n += 1) router.route('home/door/open', Buffer.from(String(n)));
    // Queued synchronously, before the worker runs: two fit, two overflow to the file at once.
    expect(router.stats().targets['webhook:slow']).toMatchObject({ queued: 2, overflowed: 2 });
    await waitFor(() => router.stats().targets['file:spool']!.delivered === 2, 'overflow to the file');
    await waitFor(() => router.stats().targets['webhook:slow']!.delivered === 2, 'the queued two');
    expect(router.stats()).toMatchObject({ failedOver: 2, dead: 0 });
  });

  it('rate-limits each target: a burst, then waits for the configured rate rather than dropping', async () => {
    const { router } = await start((url) => ({
      services: { webhook: { hook: { url } } },
      routes: [{ name: 'r', topic: 'home/#', targets: ['webhook:hook'] }],
      delivery: { ...fast, ratePerMinute: 30, burst: 2 }, // 2 at once, then one every 2 s
    }));
    for (let n = 0; n < 3; n += 1) router.route('home/door/open', Buffer.from(String(n)));
    // The worker asks for the next token in the same turn it counts a delivery: unlimited, the third
    // would already have left the queue when the second is counted. (The bucket's arithmetic is
    // tested with a clock of its own in test/core/rate-limit.test.ts, not with this one.)
    await waitFor(() => router.stats().targets['webhook:hook']!.delivered === 2, 'the burst of two');
    expect(router.stats().targets['webhook:hook']).toMatchObject({ delivered: 2, queued: 1 });
    await waitFor(
      () => router.stats().targets['webhook:hook']!.delivered === 3,
      'the third, at the rate',
      10_000,
    );
    expect(hook!.requests).toHaveLength(3);
  });

  it('takes per-target changes to the delivery settings, the rest from `delivery`', async () => {
    const { router, file } = await start((url, path) => ({
      services: { webhook: { slow: { url }, roomy: { url } }, file: { spool: { path } } },
      routes: [
        { name: 'slow', topic: 'home/slow', targets: ['webhook:slow'], failover: ['file:spool'] },
        { name: 'roomy', topic: 'home/roomy', targets: ['webhook:roomy'], failover: ['file:spool'] },
      ],
      delivery: { ...fast, queueSize: 1, burst: 5 },
      targetDelivery: { 'webhook:roomy': { queueSize: 10 }, 'file:spool': { queueSize: 10 } },
    }));
    for (let n = 0; n < 3; n += 1) {
      router.route('home/slow', Buffer.from(String(n)));
      router.route('home/roomy', Buffer.from(String(n)));
    }
    // queueSize 1 for `slow` (from delivery): two overflow; 10 for `roomy`: none.
    expect(router.stats().targets['webhook:slow']).toMatchObject({ queued: 1, overflowed: 2 });
    expect(router.stats().targets['webhook:roomy']).toMatchObject({ queued: 3, overflowed: 0 });
    await waitFor(() => router.stats().targets['webhook:roomy']!.delivered === 3, 'roomy delivered');
    await waitFor(() => router.stats().targets['file:spool']!.delivered === 2, 'slow overflow spooled');
    expect((await readFile(file, 'utf8')).trim().split('\n')).toHaveLength(2);
  });

  it('refuses per-target settings for an unknown target or with a bad value, naming the path', () => {
    const result = notifiersSchema.safeParse({
      services: { log: { ops: {} } },
      targetDelivery: { 'log:ops': { ratePerMinute: 0 }, 'email:none': {} },
    });
    expect(result.success).toBe(false);
    const problems = result.error!.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    expect(problems).toContain('targetDelivery.email:none: no target email:none is defined');
    expect(problems.some((p) => p.startsWith('targetDelivery.log:ops.ratePerMinute:'))).toBe(true);
  });
});
