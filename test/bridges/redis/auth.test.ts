/** A Redis that requires a password: the bridge authenticates, and the password never reaches a log. */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '../../helpers/redis.js';
import { startBridgeHarness } from '../bridge-harness.js';

const PASSWORD = 'redis-bridge-secret-pw';
let server: RedisServer;

beforeAll(async () => {
  server = await startRedis({ password: PASSWORD });
  const client = new Redis({ port: server.port, password: PASSWORD });
  await client.set('auth:one', '{"kw": 1}');
  client.disconnect();
});
afterAll(async () => {
  await server?.stop();
});

it('reads with the right password, is offline with the wrong one, and logs neither', async () => {
  const good = await startBridgeHarness({
    bridges: {
      redis: {
        port: server.port,
        password: PASSWORD,
        selections: [{ name: 'a', match: 'auth:*', measurement: 'auth', interval: 200 }],
      },
    },
  });
  const bad = await startBridgeHarness({
    bridges: {
      redis: {
        port: server.port,
        password: 'wrong-password-here',
        retryDelay: 100,
        selections: [{ name: 'a', match: 'auth:*', measurement: 'auth', interval: 200 }],
      },
    },
  });
  try {
    await good.until(() => good.metrics('redis', 'auth').length > 0, 'a reading');
    await bad.until(() => bad.payloads('busbar/status/redis').includes('offline'), 'offline');
    expect(bad.busbar.log.find('is offline')[0]?.msg).toMatch(/WRONGPASS|invalid/);
    for (const log of [good.busbar.log.text(), bad.busbar.log.text()]) {
      expect(log).not.toContain(PASSWORD);
      expect(log).not.toContain('wrong-password-here');
    }
  } finally {
    await good.stop();
    await bad.stop();
  }
});
