import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN,
  READ_TOKEN,
  VIEWER,
  WRITE_TOKEN,
  basic,
  bearer,
  startWebBusbar,
  webUsers,
  type WebBusbar,
} from './web-fixture.js';

let open: WebBusbar;
let closed: WebBusbar;

beforeAll(async () => {
  const users = await webUsers();
  // Default: anonymous requests from loopback are served (read-only).
  open = await startWebBusbar(users);
  // As a server bound to a public address must be: nobody without credentials.
  closed = await startWebBusbar(users, { allowAnonymous: false });
});

afterAll(async () => {
  await Promise.all([open?.stop(), closed?.stop()]);
});

const whoami = async (base: string, headers: Record<string, string> = {}) => {
  const response = await fetch(`${base}/api/whoami`, { headers });
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, response };
};

describe('web authentication', () => {
  it('serves anonymous loopback requests read-only by default', async () => {
    expect((await whoami(open.base)).body).toEqual({ name: 'anonymous', role: 'read' });
    const write = await fetch(`${open.base}/api/v2/write`, { method: 'POST', body: 'm v=1' });
    expect(write.status).toBe(403);
  });

  it('refuses requests without credentials when anonymous access is off, asking for Basic', async () => {
    const { status, response } = await whoami(closed.base);
    expect(status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('Basic');
    const metrics = await fetch(`${closed.base}/metrics`);
    expect(metrics.status).toBe(401);
  });

  it('accepts broker users by Basic auth; readOnlyUsers get the read role', async () => {
    expect((await whoami(closed.base, basic(ADMIN))).body).toEqual({ name: 'user:admin', role: 'write' });
    expect((await whoami(closed.base, basic(VIEWER))).body).toEqual({ name: 'user:viewer', role: 'read' });
    const write = await fetch(`${closed.base}/api/v2/write`, {
      method: 'POST',
      headers: basic(VIEWER),
      body: 'm v=1',
    });
    expect(write.status).toBe(403);
  });

  it('refuses a wrong password, an unknown user and an unknown token, even where anonymous is allowed', async () => {
    expect((await whoami(open.base, basic({ ...ADMIN, password: 'nope' }))).status).toBe(401);
    expect((await whoami(open.base, basic({ username: 'ghost', password: 'x' }))).status).toBe(401);
    expect((await whoami(open.base, bearer('not-a-token-at-all-123'))).status).toBe(401);
  });

  it('accepts API tokens as Bearer and as InfluxDB "Token", with their role', async () => {
    expect((await whoami(closed.base, bearer(WRITE_TOKEN))).body).toEqual({
      name: 'token:telegraf',
      role: 'write',
    });
    expect((await whoami(closed.base, { authorization: `Token ${READ_TOKEN}` })).body).toEqual({
      name: 'token:grafana',
      role: 'read',
    });
  });

  it('logs in with a form, keeps the session in an HttpOnly cookie, and logs out', async () => {
    const refused = await fetch(`${closed.base}/login`, {
      method: 'POST',
      body: new URLSearchParams({ username: 'admin', password: 'wrong' }),
    });
    expect(refused.status).toBe(401);
    const login = await fetch(`${closed.base}/login`, {
      method: 'POST',
      body: new URLSearchParams({ username: ADMIN.username, password: ADMIN.password }),
    });
    expect(login.status).toBe(200);
    const cookie = login.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^busbar_session=[\w-]+; HttpOnly; SameSite=Strict/);
    const session = { cookie: cookie.split(';')[0]! };
    expect((await whoami(closed.base, session)).body).toEqual({ name: 'user:admin', role: 'write' });
    // A browser names the page's origin with every POST; a write with the cookie must (origin.test.ts).
    const logout = await fetch(`${closed.base}/logout`, {
      method: 'POST',
      headers: { ...session, origin: closed.base },
    });
    expect(logout.status).toBe(200);
    expect((await whoami(closed.base, session)).status).toBe(401);
  });

  it('answers /health without credentials (uptime checkers send none)', async () => {
    const health = await fetch(`${closed.base}/health`);
    expect(health.status).toBe(200);
    expect(await health.text()).toBe('OK\n');
  });
});
