/**
 * Too many failed logins: five wrong passwords a minute from one address, or for one username, and
 * further attempts get 429 with Retry-After, whatever the password and however it is sent; other
 * addresses and users are not affected; the window passes.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoginLimiter } from '../../web/login-limit.js';
import { ADMIN, VIEWER, basic, startWebBusbar, webUsers, type WebBusbar } from './web-fixture.js';

let web: WebBusbar;

beforeAll(async () => {
  web = await startWebBusbar({ ...(await webUsers()), agent: { enabled: false } }, { allowAnonymous: false });
});

afterAll(async () => {
  await web?.stop();
});

interface Answer {
  readonly status: number;
  readonly retryAfter: string | undefined;
}

/** A request from a chosen loopback address (all of 127.0.0.0/8 reaches the server). */
function send(
  from: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body = '',
): Promise<Answer> {
  const url = new URL(path, web.base);
  return new Promise((resolve, reject) => {
    const outgoing = request(
      { host: url.hostname, port: url.port, path: url.pathname, method, headers, localAddress: from },
      (response) => {
        response.resume();
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, retryAfter: response.headers['retry-after'] }),
        );
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

const login = (from: string, username: string, password: string): Promise<Answer> =>
  send(
    from,
    'POST',
    '/login',
    { 'content-type': 'application/x-www-form-urlencoded' },
    new URLSearchParams({ username, password }).toString(),
  );

describe('login rate limit', () => {
  it('refuses an address after five failures a minute, with Retry-After, even the right password', async () => {
    for (let i = 0; i < 5; i++) expect((await login('127.0.0.2', 'nobody', `guess-${i}`)).status).toBe(401);
    const limited = await login('127.0.0.2', ADMIN.username, ADMIN.password);
    expect(limited.status).toBe(429);
    expect(Number(limited.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(limited.retryAfter)).toBeLessThanOrEqual(60);
    // Basic auth is the same password check, and limited the same way.
    expect((await send('127.0.0.2', 'GET', '/api/whoami', basic(ADMIN))).status).toBe(429);
    // Another address is not affected.
    expect((await login('127.0.0.3', ADMIN.username, ADMIN.password)).status).toBe(200);
  });

  it('refuses a username after five failures a minute, from any address', async () => {
    for (let i = 0; i < 5; i++) {
      expect((await login(`127.0.1.${i + 1}`, VIEWER.username, `guess-${i}`)).status).toBe(401);
    }
    expect((await login('127.0.1.9', VIEWER.username, VIEWER.password)).status).toBe(429);
    expect((await send('127.0.1.9', 'GET', '/api/whoami', basic(VIEWER))).status).toBe(429);
    // Another user from the same addresses is not affected.
    expect((await send('127.0.1.1', 'GET', '/api/whoami', basic(ADMIN))).status).toBe(200);
  });

  it('tells clients behind a reverse proxy on this machine apart by X-Forwarded-For', async () => {
    const proxied = (client: string, username: string, password: string): Promise<Answer> =>
      send(
        '127.0.0.5',
        'POST',
        '/login',
        {
          'content-type': 'application/x-www-form-urlencoded',
          // A client may send its own header; the proxy appends the address it saw.
          'x-forwarded-for': `10.9.9.9, ${client}`,
        },
        new URLSearchParams({ username, password }).toString(),
      );
    for (let i = 0; i < 5; i++) expect((await proxied('203.0.113.7', `nobody-${i}`, 'x')).status).toBe(401);
    expect((await proxied('203.0.113.7', 'nobody-9', 'x')).status).toBe(429);
    expect((await proxied('203.0.113.8', 'nobody-9', 'x')).status).toBe(401);
  });
});

describe('LoginLimiter', () => {
  it('lets checks run again once the oldest failure leaves the window; success clears the user', () => {
    let now = 1_000_000;
    const limiter = new LoginLimiter({ max: 3, windowMs: 60_000, now: () => now });
    const keys = ['address:a', 'user:u'];
    for (let i = 0; i < 3; i++) {
      expect(limiter.retryAfter(keys)).toBeUndefined();
      limiter.failed(keys);
      now += 10_000;
    }
    // Failures at 0 s, 10 s, 20 s; now 30 s: the first leaves the window at 60 s.
    expect(limiter.retryAfter(keys)).toBe(30);
    expect(limiter.retryAfter(['address:b', 'user:v'])).toBeUndefined();
    now += 30_000;
    expect(limiter.retryAfter(keys)).toBeUndefined();
    limiter.failed(keys);
    expect(limiter.retryAfter(keys)).toBe(10);
    limiter.succeeded('user:u');
    expect(limiter.retryAfter(['user:u'])).toBeUndefined();
    expect(limiter.retryAfter(['address:a'])).toBe(10);
  });

  it('remembers a bounded number of keys', () => {
    const limiter = new LoginLimiter({ max: 1, maxKeys: 100 });
    for (let i = 0; i < 1_000; i++) limiter.failed([`user:${i}`]);
    expect(limiter.retryAfter(['user:999'])).toBeGreaterThan(0);
    expect(limiter.retryAfter(['user:0'])).toBeUndefined();
  });
});
