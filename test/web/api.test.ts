import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { READ_TOKEN, WRITE_TOKEN, bearer, startWebBusbar, webUsers, type WebBusbar } from './web-fixture.js';

let web: WebBusbar;
/** Ten points a second apart, a minute ago, for web1; one for web2. */
const T = Math.floor(Date.now() / 1000) - 60;

const get = async (path: string) => {
  const response = await fetch(`${web.base}${path}`, { headers: bearer(READ_TOKEN) });
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
};
const json = async <T>(path: string): Promise<T> => JSON.parse((await get(path)).text) as T;

beforeAll(async () => {
  web = await startWebBusbar(
    { ...(await webUsers()), agent: { enabled: false }, sinks: { history: { flushInterval: '20ms' } } },
    { allowAnonymous: false },
  );
  const lines = Array.from({ length: 10 }, (_, i) => `cpu,host=web1 usage_user=${10 + i} ${T + i}`);
  lines.push(`cpu,host=web2 usage_user=50 ${T}`, `mem,host=web1 used_percent=40.5 ${T}`);
  const write = await fetch(`${web.base}/api/v2/write?bucket=b&precision=s`, {
    method: 'POST',
    headers: bearer(WRITE_TOKEN),
    body: lines.join('\n'),
  });
  expect(write.status).toBe(204);
  let latest: unknown = [];
  const ready = (): boolean => Array.isArray(latest) && latest.length === 3;
  for (let i = 0; i < 200 && !ready(); i++) {
    latest = await json<unknown>('/api/latest?pattern=*');
    if (!ready()) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect(latest).toHaveLength(3);
});

afterAll(async () => {
  await web?.stop();
});

describe('JSON API over the history store', () => {
  it('GET /api/series lists series, all or matching a pattern', async () => {
    const all = await json<{ name: string; type: string }[]>('/api/series');
    expect(all.map((s) => s.name)).toEqual([
      'web1/cpu/usage_user{host=web1}',
      'web1/mem/used_percent{host=web1}',
      'web2/cpu/usage_user{host=web2}',
    ]);
    const cpu = await json<{ name: string }[]>(`/api/series?pattern=${encodeURIComponent('*/cpu/*')}`);
    expect(cpu).toHaveLength(2);
  });

  it('GET /api/sources counts series per source', async () => {
    expect(await json('/api/sources')).toEqual([
      { source: 'web1', series: 2 },
      { source: 'web2', series: 1 },
    ]);
  });

  it('GET /api/latest gives the newest value of each matching series', async () => {
    const latest = await json<{ series: { name: string }; time: number; value: number }[]>(
      '/api/latest?pattern=web1/cpu/*',
    );
    expect(latest).toHaveLength(1);
    expect(latest[0]).toMatchObject({ time: (T + 9) * 1000, value: 19 });
  });

  it('GET /api/range returns raw points, or buckets when there are more than ?points', async () => {
    const from = (T - 1) * 1000;
    const to = (T + 20) * 1000;
    const raw = await json<{ source: string; bucketMs: number; points: { time: number; value: number }[] }[]>(
      `/api/range?pattern=web1/cpu/*&from=${from}&to=${to}`,
    );
    expect(raw[0]).toMatchObject({ source: 'raw', bucketMs: 0 });
    expect(raw[0]!.points.map((p) => p.value)).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    const bucketed = await json<{ bucketMs: number; points: { count: number }[] }[]>(
      `/api/range?pattern=web1/cpu/*&from=${from}&to=${to}&points=3`,
    );
    expect(bucketed[0]!.bucketMs).toBeGreaterThan(0);
    expect(bucketed[0]!.points.length).toBeLessThanOrEqual(3);
    expect(bucketed[0]!.points.reduce((sum, p) => sum + p.count, 0)).toBe(10);
  });

  it('GET /api/export.csv streams the same CSV as `busbar export`', async () => {
    const csv = await get(`/api/export.csv?pattern=web2/*&from=${(T - 1) * 1000}&to=now`);
    expect(csv.status).toBe(200);
    expect(csv.type).toBe('text/csv; charset=utf-8');
    expect(csv.text).toBe(
      'time,series,source,measurement,field,tags,value\n' +
        `${new Date(T * 1000).toISOString()},web2/cpu/usage_user{host=web2},web2,cpu,usage_user,host=web2,50\n`,
    );
  });

  it('answers 400 with a reason for a missing pattern, a bad time or a bad resolution, 404 elsewhere', async () => {
    for (const path of [
      '/api/latest',
      '/api/range?pattern=*&from=yesterday',
      '/api/range?pattern=*&points=0',
      '/api/export.csv?pattern=*&resolution=5m',
    ]) {
      const answer = await get(path);
      expect(answer.status, path).toBe(400);
      expect(JSON.parse(answer.text)).toMatchObject({ code: 'invalid' });
    }
    expect((await get('/api/nothing')).status).toBe(404);
  });
});
