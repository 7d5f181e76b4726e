/**
 * The silences API against a running busbar and its alarms component: create, list and delete; the
 * firing alarm it matches marked `silencedBy`; read-only users refused; a bad body answered with the
 * issue's path; no answer (alarms component off) answered 504 naming why.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN,
  DISK_RULE,
  READ_TOKEN,
  VIEWER,
  basic,
  bearer,
  startWebBusbar,
  webUsers,
  type WebBusbar,
} from './web-fixture.js';

let web: WebBusbar;
/** Every request the web published on busbar/control/silences. */
const requests: unknown[] = [];

beforeAll(async () => {
  web = await startWebBusbar(
    { ...(await webUsers()), agent: { enabled: false }, alarms: DISK_RULE },
    { allowAnonymous: false },
  );
  const { bus, topics } = web.busbar.running;
  await bus.subscribe(topics.silenceRequests, (message) => {
    requests.push(JSON.parse(message.payload.toString()));
  });
  // The alarms component may still be starting: the point is sent again until the alarm fires.
  let firing = false;
  while (!firing) {
    await bus.publish(topics.metrics('web1', 'disk'), 'disk,host=web1,path=/ used_percent=97', { qos: 1 });
    firing = (await alarms()).some((alarm) => alarm.rule === 'disk_full' && alarm.state === 'firing');
    if (!firing) await new Promise((resolve) => setTimeout(resolve, 50));
  }
});

afterAll(async () => {
  await web?.stop();
});

interface Answer {
  status: number;
  body: unknown;
}

async function call(
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<Answer> {
  const response = await fetch(`${web.base}${path}`, {
    method,
    headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

async function alarms(): Promise<{ rule: string; state: string; silencedBy: string[] }[]> {
  return (await call('GET', '/api/alarms', bearer(READ_TOKEN))).body as {
    rule: string;
    state: string;
    silencedBy: string[];
  }[];
}

describe('/api/silences', () => {
  it('creates a silence (createdBy: the user), lists it, marks the alarm it matches, and deletes it', async () => {
    expect((await alarms())[0]?.silencedBy).toEqual([]);
    const created = await call('POST', '/api/silences', basic(ADMIN), {
      matchers: { rule: 'disk_*', source: 'web1' },
      duration: '2h',
      comment: 'replacing the disk',
    });
    expect(created.status).toBe(201);
    const silence = created.body as { id: string; endsAt: string; createdBy: string };
    expect(silence).toMatchObject({
      matchers: { rule: 'disk_*', source: 'web1' },
      createdBy: 'admin',
      comment: 'replacing the disk',
    });
    const hours = (Date.parse(silence.endsAt) - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(1.99);
    expect(hours).toBeLessThanOrEqual(2);
    // The request went over the bus, as the alarms component's contract says.
    expect(requests).toContainEqual(
      expect.objectContaining({ action: 'add', id: silence.id, createdBy: 'admin' }),
    );

    // Read right after the write: the list already shows it, to a read-only reader too.
    const listed = await call('GET', '/api/silences', bearer(READ_TOKEN));
    expect(listed).toEqual({ status: 200, body: [created.body] });
    expect((await alarms())[0]?.silencedBy).toEqual([silence.id]);

    const removed = await call('DELETE', `/api/silences/${silence.id}`, basic(ADMIN));
    expect(removed.status).toBe(204);
    expect((await call('GET', '/api/silences', bearer(READ_TOKEN))).body).toEqual([]);
    expect((await alarms())[0]?.silencedBy).toEqual([]);
    expect((await call('DELETE', `/api/silences/${silence.id}`, basic(ADMIN))).status).toBe(404);
  });

  it('accepts endsAt instead of a duration, and a silence that matches nothing marks nothing', async () => {
    const endsAt = new Date(Date.now() + 30 * 60_000).toISOString();
    const created = await call('POST', '/api/silences', basic(ADMIN), {
      matchers: { alarm: 'web2' },
      endsAt,
    });
    expect(created.status).toBe(201);
    const id = (created.body as { id: string }).id;
    expect(created.body).toMatchObject({ endsAt, comment: '' });
    expect((await alarms())[0]?.silencedBy).toEqual([]);
    expect((await call('DELETE', `/api/silences/${id}`, basic(ADMIN))).status).toBe(204);
  });

  it('refuses read-only users and read tokens (403), and requests without credentials (401)', async () => {
    const body = { matchers: { rule: 'x' }, duration: '1h' };
    const viewer = await call('POST', '/api/silences', basic(VIEWER), body);
    expect(viewer).toEqual({
      status: 403,
      body: { code: 'forbidden', message: 'user:viewer may only read' },
    });
    expect((await call('POST', '/api/silences', bearer(READ_TOKEN), body)).status).toBe(403);
    expect((await call('DELETE', '/api/silences/s-1', basic(VIEWER))).status).toBe(403);
    expect((await call('POST', '/api/silences', {}, body)).status).toBe(401);
    expect(requests).not.toContainEqual(expect.objectContaining({ matchers: { rule: 'x' } }));
  });

  it('answers 400 naming the path of each problem in the body', async () => {
    const cases: [unknown, RegExp][] = [
      [{ matchers: {}, duration: '1h' }, /^matchers: at least one label matcher/],
      [{ matchers: { rule: 'x' }, duration: 'soon' }, /^duration: a duration such as/],
      [{ matchers: { rule: 'x' } }, /give exactly one of `duration` and `endsAt`/],
      [
        { matchers: { rule: 'x' }, duration: '1h', createdBy: 'mallory' },
        /^body: Unrecognized key: "createdBy"/,
      ],
      [{ matchers: { rule: 'x' }, endsAt: '2020-01-01T00:00:00Z' }, /^endsAt: in the past/],
      [{ matchers: { rule: 'x' }, endsAt: 'tomorrow' }, /^endsAt: /],
      ['{"matchers": ', /JSON/],
    ];
    for (const [body, message] of cases) {
      const answer = await call('POST', '/api/silences', basic(ADMIN), body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect((answer.body as { message: string }).message, JSON.stringify(body)).toMatch(message);
    }
    expect((await call('DELETE', '/api/silences/not%2Fan%2Fid', basic(ADMIN))).status).toBe(400);
  });

  it('takes only JSON, so a cross-site form cannot post a silence', async () => {
    const response = await fetch(`${web.base}/api/silences`, {
      method: 'POST',
      headers: { ...basic(ADMIN), 'content-type': 'text/plain' },
      body: JSON.stringify({ matchers: { rule: 'x' }, duration: '1h' }),
    });
    expect(response.status).toBe(415);
  });

  it('answers 504 naming the reason when the alarms component is off', async () => {
    const off = await startWebBusbar(
      { ...(await webUsers()), agent: { enabled: false }, alarms: { enabled: false } },
      { allowAnonymous: false },
    );
    try {
      const started = Date.now();
      const body = { matchers: { rule: 'x' }, duration: '1h' };
      const answer = await fetch(`${off.base}/api/silences`, {
        method: 'POST',
        headers: { ...basic(ADMIN), 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(answer.status).toBe(504);
      const error = (await answer.json()) as { code: string; message: string };
      expect(error.code).toBe('no answer');
      expect(error.message).toMatch(
        /^no answer on busbar\/silences\/s-[\w-]+ within 5000 ms: is the alarms component running \(alarms\.enabled\)/,
      );
      expect(Date.now() - started).toBeGreaterThanOrEqual(4_900);
      const list = await fetch(`${off.base}/api/silences`, { headers: basic(ADMIN) });
      expect(await list.json()).toEqual([]);
    } finally {
      await off.stop();
    }
  });
});
