/**
 * Wrong passwords are answered ever more slowly, per (address, username), per address and per
 * username, without locking anyone out: the right password is answered at once, from the address
 * that failed and from any other; one address's checks run one at a time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpError } from '../../web/http.js';
import { LoginThrottle, type LoginFailure } from '../../web/login-throttle.js';
import {
  ADMIN,
  VIEWER,
  basic,
  send,
  startWebBusbar,
  webStatsWhen,
  webUsers,
  type WebBusbar,
} from './web-fixture.js';

let web: WebBusbar;

beforeAll(async () => {
  web = await startWebBusbar({ ...(await webUsers()), agent: { enabled: false } }, { allowAnonymous: false });
});

afterAll(async () => {
  await web?.stop();
});

const login = (from: string, username: string, password: string) =>
  send(web, {
    method: 'POST',
    path: '/login',
    from,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username, password }).toString(),
  });

/** The delays the server reports having held wrong answers from `address` for (its log). */
const loggedDelays = (address: string): unknown[] =>
  web.busbar.log
    .find('web login failed')
    .filter((line) => line.address === address)
    .map((line) => line.delayMs);

describe('login throttling over HTTP', () => {
  it('holds wrong answers longer each time, while the right password logs in at once', async () => {
    for (let i = 0; i < 5; i++)
      expect((await login('127.0.0.2', ADMIN.username, `guess-${i}`)).status).toBe(401);
    expect(loggedDelays('127.0.0.2')).toEqual([0, 0, 0, 1_000, 2_000]);
    // Not a lock: the user's right password, from that address and by Basic, is accepted.
    expect((await login('127.0.0.2', ADMIN.username, ADMIN.password)).status).toBe(200);
    expect((await send(web, { path: '/api/whoami', from: '127.0.0.2', headers: basic(ADMIN) })).status).toBe(
      200,
    );
    const line = web.busbar.log.find('web login failed').at(-1)!;
    expect(line).toMatchObject({ username: ADMIN.username, failures: 5 });
    expect(web.busbar.log.text()).not.toContain('guess-');
  });

  it('does not let strangers elsewhere lock a user out', async () => {
    for (let i = 0; i < 4; i++)
      expect((await login('127.0.1.1', VIEWER.username, `guess-${i}`)).status).toBe(401);
    expect((await login('127.0.1.2', VIEWER.username, VIEWER.password)).status).toBe(200);
    // An unknown name is not logged: it may be a password typed in the wrong field.
    expect((await login('127.0.1.3', 'hunter2-typed-here', 'x')).status).toBe(401);
    expect(web.busbar.log.text()).not.toContain('hunter2-typed-here');
    expect(web.busbar.log.find('web login failed').at(-1)).toMatchObject({ unknownUser: true });
  });

  it('counts wrong passwords and the delayed ones on busbar/stats/web', async () => {
    // The tests above: 5 + 4 wrong passwords and 1 unknown user; 2 + 1 of them held. Statistics are
    // published on a timer, so one may show the ninth failure and not the tenth: the last is waited for.
    const stats = await webStatsWhen(web, (s) => (s.loginFailures ?? 0) >= 10);
    expect(stats).toMatchObject({ loginFailures: 10, loginsDelayed: 3 });
  });
});

describe('LoginThrottle', () => {
  const throttle = (options: { maxKeys?: number; maxWaitingPerAddress?: number } = {}) => {
    const held: number[] = [];
    const failures: LoginFailure[] = [];
    const instance = new LoginThrottle(
      {
        ...options,
        sleep: async (ms) => {
          held.push(ms);
        },
      },
      (failure) => failures.push(failure),
    );
    return { instance, held, failures };
  };
  const wrong = async () => false;
  const right = async () => true;

  it('doubles the delay per (address, username) after three free failures, up to 30 s', async () => {
    const { instance, held, failures } = throttle();
    for (let i = 0; i < 10; i++) expect(await instance.check('a', 'u', wrong)).toBe(false);
    expect(held).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
    expect(failures.map((f) => f.delayMs)).toEqual([0, 0, 0, ...held]);
    // The right password is not held, and clears the pair's count.
    expect(await instance.check('a', 'u', right)).toBe(true);
    expect(held).toHaveLength(7);
    expect(instance.delayMs('a', 'u')).toBe(0);
  });

  it("holds a username's wrong answers from other addresses at most 5 s", async () => {
    const { instance } = throttle();
    for (let i = 0; i < 30; i++) await instance.check(`10.0.0.${i}`, 'admin', wrong);
    expect(instance.delayMs('10.1.1.1', 'admin')).toBe(5_000);
    expect(instance.delayMs('10.1.1.1', 'other')).toBe(0);
  });

  it('slows one address trying many usernames', async () => {
    const { instance } = throttle();
    for (let i = 0; i < 12; i++) await instance.check('a', `user-${i}`, wrong);
    expect(instance.delayMs('a', 'someone')).toBe(2_000);
    expect(instance.delayMs('b', 'someone')).toBe(0);
  });

  it("runs one address's checks one at a time, and refuses a pile-up with 429", async () => {
    const { instance } = throttle({ maxWaitingPerAddress: 2 });
    let running = 0;
    let most = 0;
    const releases: (() => void)[] = [];
    const slow = async (): Promise<boolean> => {
      running++;
      most = Math.max(most, running);
      await new Promise<void>((resolve) => releases.push(resolve));
      running--;
      return false;
    };
    /** Lets pending callbacks run until `holds`, for at most 100 turns of the event loop. */
    const until = async (holds: () => boolean): Promise<void> => {
      for (let i = 0; i < 100 && !holds(); i++) await new Promise((resolve) => setImmediate(resolve));
      expect(holds()).toBe(true);
    };
    const first = instance.check('a', 'u', slow);
    const second = instance.check('a', 'v', slow);
    await expect(instance.check('a', 'w', slow)).rejects.toBeInstanceOf(HttpError);
    // Another address does not wait for this one's turn.
    expect(await instance.check('b', 'u', right)).toBe(true);
    await until(() => releases.length === 1);
    releases[0]!();
    await until(() => releases.length === 2);
    releases[1]!();
    expect([await first, await second]).toEqual([false, false]);
    expect(most).toBe(1);
  });

  it('remembers a bounded number of keys', async () => {
    const { instance } = throttle({ maxKeys: 100 });
    for (let i = 0; i < 5; i++) await instance.check('a', 'u', wrong);
    expect(instance.delayMs('a', 'u')).toBe(2_000);
    for (let i = 0; i < 1_000; i++) await instance.check(`b${i}`, `user-${i}`, wrong);
    expect(instance.delayMs('a', 'u')).toBe(0);
  });
});
