/**
 * InfluxDB 2.x/3.x answer InfluxQL on their 1.x compatibility API (/query, a DBRP-mapped database)
 * and take an API token as `Authorization: Token`. No 2.x server runs here: a local HTTP server
 * stands in for it and records what the reader sends.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InfluxV1History } from '../../history/influx-v1.js';
import { HistoryUnavailableError } from '../../history/source.js';

const TOKEN = 'apiv3_secret-token-never-in-messages';
const requests: { url: string; headers: IncomingHttpHeaders }[] = [];
let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    requests.push({ url: request.url ?? '', headers: request.headers });
    const allowed = request.headers.authorization === `Token ${TOKEN}`;
    response.writeHead(allowed ? 200 : 401, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify(allowed ? { results: [{ statement_id: 0 }] } : { error: 'unauthorized access' }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const reader = (token: string | undefined) =>
  new InfluxV1History({
    sink: 'influxdb1',
    url,
    database: 'metrics',
    username: 'ignored-when-a-token-is-set',
    password: 'pw',
    token,
    sourceTag: 'source',
    timeoutMs: 10_000,
  });

describe('the InfluxDB reader with a token', () => {
  it('sends it as Authorization: Token, instead of basic auth, to /query?db=', async () => {
    await reader(TOKEN).check();
    const last = requests.at(-1)!;
    expect(last.headers.authorization).toBe(`Token ${TOKEN}`);
    const query = new URL(last.url, url);
    expect([query.pathname, query.searchParams.get('db'), query.searchParams.get('epoch')]).toEqual([
      '/query',
      'metrics',
      'ms',
    ]);
  });

  it('says a refusal without the token in the message', async () => {
    const error = await reader('wrong-token')
      .check()
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HistoryUnavailableError);
    expect((error as Error).message).toMatch(/refused the query \(401\): unauthorized access/);
    expect((error as Error).message).not.toContain('wrong-token');
    // Without a token, basic auth as before.
    await reader(undefined)
      .check()
      .catch(() => undefined);
    expect(requests.at(-1)!.headers.authorization).toMatch(/^Basic /);
  });
});
