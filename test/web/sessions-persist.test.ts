/**
 * Login sessions survive a restart of busbar (web.sessionsPath), checked against the config of the
 * new run: a user removed, a password changed or a session expired ends them; a role change applies.
 * The file holds no usable credential.
 */
import { readFile, stat } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { hashPassword } from '../../broker/passwords.js';
import type { ConfigInput } from '../../config/schema.js';
import { tempDir } from '../helpers/process.js';
import { ADMIN, VIEWER, startWebBusbar, webUsers, type WebBusbar } from './web-fixture.js';

let running: WebBusbar | undefined;
let dir: Awaited<ReturnType<typeof tempDir>> | undefined;

afterEach(async () => {
  await running?.stop();
  await dir?.remove();
  running = dir = undefined;
});

async function login(base: string, user: { username: string; password: string }): Promise<string> {
  const response = await fetch(`${base}/login`, {
    method: 'POST',
    body: new URLSearchParams(user),
  });
  expect(response.status).toBe(200);
  const cookie = /busbar_session=([^;]+)/.exec(response.headers.get('set-cookie') ?? '')?.[1];
  expect(cookie).toBeDefined();
  return cookie!;
}

async function whoami(base: string, session: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${base}/api/whoami`, { headers: { cookie: `busbar_session=${session}` } });
  return { status: response.status, body: response.status === 200 ? await response.json() : undefined };
}

/** Restarts busbar with `users` and the same sessions file. */
async function restart(users: ConfigInput, web: Record<string, unknown>): Promise<string> {
  await running?.stop();
  running = await startWebBusbar(users, { allowAnonymous: false, ...web });
  return running.base;
}

describe('login sessions across a restart', () => {
  it('keep a user logged in; the file holds hashes, not the cookie', async () => {
    dir = await tempDir('web-sessions');
    const web = { sessionsPath: `${dir.path}/sessions.json` };
    const users = await webUsers();
    let base = await restart(users, web);
    const admin = await login(base, ADMIN);
    const viewer = await login(base, VIEWER);
    expect((await whoami(base, admin)).body).toEqual({ name: 'user:admin', role: 'write' });

    base = await restart(users, web);
    expect((await whoami(base, admin)).body).toEqual({ name: 'user:admin', role: 'write' });
    expect((await whoami(base, viewer)).body).toEqual({ name: 'user:viewer', role: 'read' });

    const text = await readFile(web.sessionsPath, 'utf8');
    expect(text).not.toContain(admin);
    expect(text).not.toContain(viewer);
    expect((await stat(web.sessionsPath)).mode & 0o777).toBe(0o600);

    // Logged out: gone after the next restart too.
    const logout = await fetch(`${base}/logout`, {
      method: 'POST',
      headers: { cookie: `busbar_session=${admin}`, origin: base },
    });
    expect(logout.status).toBe(200);
    base = await restart(users, web);
    expect((await whoami(base, admin)).status).toBe(401);
    expect((await whoami(base, viewer)).status).toBe(200);
  });

  it('end when the user is gone or its password changed, and take the role the config gives now', async () => {
    dir = await tempDir('web-sessions');
    const web = { sessionsPath: `${dir.path}/sessions.json` };
    const users = await webUsers();
    let base = await restart(users, web);
    const admin = await login(base, ADMIN);
    const viewer = await login(base, VIEWER);

    // The viewer's password changed, and admin became read-only.
    const changed = await webUsers();
    changed.broker!.users = [
      users.broker!.users![0]!,
      { username: VIEWER.username, password: await hashPassword('a-new-password') },
    ];
    base = await restart(changed, { ...web, readOnlyUsers: [ADMIN.username] });
    expect((await whoami(base, viewer)).status).toBe(401);
    expect((await whoami(base, admin)).body).toEqual({ name: 'user:admin', role: 'read' });
    expect(running!.busbar.log.find('login sessions of the previous run restored')[0]).toMatchObject({
      kept: 1,
      dropped: 1,
    });

    // Admin removed from the config.
    changed.broker!.users = [changed.broker!.users[1]!];
    base = await restart(changed, web);
    expect((await whoami(base, admin)).status).toBe(401);
  });

  it('end at their expiry, and an empty path keeps them in memory only', async () => {
    dir = await tempDir('web-sessions');
    const path = `${dir.path}/sessions.json`;
    const users = await webUsers();
    let base = await restart(users, { sessionsPath: path, sessionTtl: '1s' });
    const admin = await login(base, ADMIN);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    base = await restart(users, { sessionsPath: path });
    expect((await whoami(base, admin)).status).toBe(401);

    base = await restart(users, { sessionsPath: '' });
    const memoryOnly = await login(base, ADMIN);
    base = await restart(users, { sessionsPath: '' });
    expect((await whoami(base, memoryOnly)).status).toBe(401);
  });
});
