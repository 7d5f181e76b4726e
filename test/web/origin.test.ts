/**
 * What a browser can be made to send by another site, and what a client can claim about itself:
 * cookie writes need the server's own Origin (or a trusted one), behind a trusted proxy the one it
 * forwards; Basic with a foreign Origin is refused, scripts and tokens are not affected; `next`
 * after login stays on this server; X-Forwarded-For counts only from a trusted proxy.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localPath } from '../../web/local-path.js';
import {
  ADMIN,
  WRITE_TOKEN,
  basic,
  bearer,
  send,
  startWebBusbar,
  webStatsWhen,
  webUsers,
  type WebBusbar,
} from './web-fixture.js';

const PROXY = '127.0.6.9';
let web: WebBusbar;
let cookie: string;

beforeAll(async () => {
  web = await startWebBusbar(
    { ...(await webUsers()), agent: { enabled: false } },
    { trustedProxies: [PROXY], trustedOrigins: ['https://ops.example'] },
  );
  const login = await send(web, {
    method: 'POST',
    path: '/login',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(ADMIN),
  });
  expect(login.status).toBe(200);
  cookie = String(login.headers['set-cookie']).split(';')[0]!;
});

afterAll(async () => {
  await web?.stop();
});

const publish = (headers: Record<string, string>, from = '127.0.0.1') =>
  send(web, { method: 'POST', path: '/api/publish/devices/x', from, headers, body: '1' });

describe('cookie writes and their origin', () => {
  it("refuses a foreign Origin with 403 and accepts the server's own", async () => {
    const foreign = await publish({ cookie, origin: 'http://evil.example' });
    expect(foreign.status).toBe(403);
    expect(JSON.parse(foreign.body)).toEqual({
      code: 'forbidden',
      message: 'origin http://evil.example may not write with a login cookie',
    });
    // Same host, another port: same site for SameSite, not the same origin.
    expect((await publish({ cookie, origin: 'http://127.0.0.1:1' })).status).toBe(403);
    expect((await publish({ cookie, origin: 'null' })).status).toBe(403);
    expect((await publish({ cookie })).status).toBe(403);
    expect((await publish({ cookie, origin: web.base })).status).toBe(200);
    expect((await publish({ cookie, referer: `${web.base}/alarms` })).status).toBe(200);
    expect((await publish({ cookie, origin: 'https://ops.example' })).status).toBe(200);
    // Every state-changing method, checked before the route: a DELETE that would be a 404.
    const remove = await send(web, {
      method: 'DELETE',
      path: '/api/silences/x',
      headers: { cookie, origin: 'http://evil.example' },
    });
    expect(remove.status).toBe(403);
    const logout = await send(web, {
      method: 'POST',
      path: '/logout',
      headers: { cookie, origin: 'http://evil.example' },
    });
    expect(logout.status).toBe(403);
  });

  it('behind a trusted proxy, takes the origin from X-Forwarded-Host and -Proto; from anyone else, not', async () => {
    const forwarded = {
      cookie,
      origin: 'https://busbar.example',
      'x-forwarded-host': 'busbar.example',
      'x-forwarded-proto': 'https',
    };
    expect((await publish(forwarded, PROXY)).status).toBe(200);
    expect((await publish(forwarded, '127.0.6.8')).status).toBe(403);
    expect((await publish({ ...forwarded, origin: 'http://busbar.example' }, PROXY)).status).toBe(403);
  });

  it('leaves scripts alone: Basic without Origin and tokens pass; Basic with a foreign Origin does not', async () => {
    expect((await publish(basic(ADMIN))).status).toBe(200);
    expect((await publish({ ...basic(ADMIN), origin: 'http://evil.example' })).status).toBe(403);
    expect((await publish({ ...bearer(WRITE_TOKEN), origin: 'http://evil.example' })).status).toBe(200);
    // Reads are not checked.
    const read = await send(web, { path: '/api/whoami', headers: { cookie, origin: 'http://evil.example' } });
    expect(read.status).toBe(200);
  });

  it('refuses a login posted from another site', async () => {
    const login = await send(web, {
      method: 'POST',
      path: '/login',
      headers: { 'content-type': 'application/json', origin: 'http://evil.example' },
      body: JSON.stringify(ADMIN),
    });
    expect(login.status).toBe(403);
    expect(login.headers['set-cookie']).toBeUndefined();
  });

  it('counts the refusals on busbar/stats/web', async () => {
    const stats = await webStatsWhen(web, (s) => (s.foreignOrigin ?? 0) >= 10);
    expect(stats.foreignOrigin).toBe(10);
    expect(web.busbar.log.find('web write from a foreign origin refused').length).toBeGreaterThan(0);
  });
});

describe('the redirect after login', () => {
  const REFUSED = [
    '/\\evil.example/x',
    '//evil.example',
    '///evil.example',
    'https://evil.example',
    '\\\\evil.example',
    '/\t/evil.example',
    '%2F%2Fevil.example',
    '/%2F%2Fevil.example',
    '/%5Cevil.example',
    '/%09/evil.example',
    'javascript:alert(1)',
    'evil.example',
    '',
  ];

  it('goes only to a local path, else to /', () => {
    for (const next of REFUSED) expect(localPath(next), next).toBe('/');
    expect(localPath('/source/web1?range=-1h#cpu')).toBe('/source/web1?range=-1h#cpu');
    expect(localPath('/alarms')).toBe('/alarms');
  });

  it('puts the checked path in the form and answers it after the login', async () => {
    for (const next of REFUSED) {
      const page = await send(web, { path: `/login?next=${encodeURIComponent(next)}` });
      expect(page.body).toContain('<input type="hidden" name="next" value="/">');
      expect(page.body).toContain('<form id="login" method="post" action="/login">');
    }
    const form = await send(web, {
      method: 'POST',
      path: '/login',
      // A browser posting the form without its script: a navigation that accepts HTML.
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      body: new URLSearchParams({ ...ADMIN, next: '/\\evil.example/x' }).toString(),
    });
    expect(form.status).toBe(303);
    expect(form.headers.location).toBe('/');
    const script = await send(web, {
      method: 'POST',
      path: '/login',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...ADMIN, next: '/alarms' }),
    });
    expect(JSON.parse(script.body)).toMatchObject({ next: '/alarms' });
  });
});

describe('X-Forwarded-For', () => {
  const whoami = (from: string, forwardedFor: string) =>
    send(web, { path: '/api/whoami', from, headers: { 'x-forwarded-for': forwardedFor } });

  it('is ignored from an untrusted peer, and names the client behind a trusted proxy', async () => {
    // Anonymous reads are served to loopback clients: a claimed remote address changes nothing...
    expect((await whoami('127.0.6.8', '203.0.113.7')).status).toBe(200);
    // ...unless a trusted proxy says so: then the client is remote, and not anonymous.
    expect((await whoami(PROXY, '127.0.0.1, 203.0.113.7')).status).toBe(401);
    // The proxy's own entry for a local client; the left-hand entries are the client's claims.
    expect((await whoami(PROXY, '203.0.113.7, 127.0.0.1')).status).toBe(200);
  });

  it('names the address failed logins are counted and logged for', async () => {
    const wrong = (from: string) =>
      send(web, {
        method: 'POST',
        path: '/login',
        from,
        headers: { 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.1' },
        body: JSON.stringify({ ...ADMIN, password: 'wrong' }),
      });
    expect((await wrong('127.0.6.7')).status).toBe(401);
    expect((await wrong(PROXY)).status).toBe(401);
    const addresses = web.busbar.log.find('web login failed').map((line) => line.address);
    expect(addresses).toEqual(['127.0.6.7', '198.51.100.1']);
  });
});
