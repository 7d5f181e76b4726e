/**
 * The route table over real HTTP: a path no route has is a 404 that names it (a page for a
 * browser), a path answered for other methods a 405 with an `Allow` header naming them, HEAD is
 * answered by a GET route, and a route's role is checked before its handler runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Router } from '../../web/router.js';
import { READ_TOKEN, bearer, send, startWebBusbar, webUsers, type WebBusbar } from './web-fixture.js';

let web: WebBusbar;

beforeAll(async () => {
  web = await startWebBusbar({ ...(await webUsers()), agent: { enabled: false } }, { allowAnonymous: false });
});

afterAll(async () => {
  await web?.stop();
});

describe('route table', () => {
  it('matches literal, :param and *rest segments, and only whole paths', () => {
    const router = new Router()
      .add('GET', '/api/things/:id', { access: 'read' }, () => undefined)
      .add('POST', '/api/publish/*topic', { access: 'write' }, () => undefined);
    const found = router.match('GET', '/api/things/a%20b');
    expect(found.kind === 'found' && found.params).toEqual({ id: 'a b' });
    const topic = router.match('POST', '/api/publish/sensors/kitchen/t%2B');
    expect(topic.kind === 'found' && topic.params).toEqual({ topic: 'sensors/kitchen/t+' });
    expect(router.match('GET', '/api/things/a/b').kind).toBe('not found');
    expect(router.match('GET', '/api/things/').kind).toBe('not found');
    expect(router.match('POST', '/api/publish/').kind).toBe('not found');
    expect(router.match('HEAD', '/api/things/x').kind).toBe('found');
    expect(router.match('DELETE', '/api/things/x')).toEqual({
      kind: 'method not allowed',
      allow: ['GET', 'HEAD'],
    });
  });

  it('answers 404 naming the path, 405 naming the allowed methods', async () => {
    const missing = await send(web, { path: '/api/nosuch', headers: bearer(READ_TOKEN) });
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body)).toEqual({ code: 'not found', message: 'no route for GET /api/nosuch' });

    const page = await send(web, { path: '/nosuch/page', headers: { accept: 'text/html' } });
    expect(page.status).toBe(404);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('There is no page at /nosuch/page.');

    const wrongMethod = await send(web, {
      method: 'PUT',
      path: '/api/silences',
      headers: bearer(READ_TOKEN),
    });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.allow).toBe('GET, HEAD, POST');
    expect(JSON.parse(wrongMethod.body)).toEqual({
      code: 'method not allowed',
      message: 'PUT /api/silences: this path answers GET, HEAD, POST',
    });
  });

  it('answers HEAD from a GET route and checks roles before handlers', async () => {
    const head = await send(web, { method: 'HEAD', path: '/api/whoami', headers: bearer(READ_TOKEN) });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    const anonymous = await send(web, { path: '/api/whoami' });
    expect(anonymous.status).toBe(401);
    const readOnly = await send(web, {
      method: 'POST',
      path: '/api/broker/clients/someone/kick',
      headers: { ...bearer(READ_TOKEN), 'content-type': 'application/json' },
      body: '{}',
    });
    expect(readOnly.status).toBe(403);
    expect(JSON.parse(readOnly.body)).toEqual({ code: 'forbidden', message: 'token:grafana may only read' });
  });

  it("checks a route's query parameters against its schema, naming each problem", async () => {
    const unknown = await send(web, { path: '/api/retained?prefix=a&bogus=1', headers: bearer(READ_TOKEN) });
    expect(unknown.status).toBe(400);
    expect(JSON.parse(unknown.body)).toEqual({ code: 'invalid', message: 'unknown parameter bogus' });
    const bad = await send(web, { path: '/api/retained?limit=0', headers: bearer(READ_TOKEN) });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).message).toMatch(/^limit: /);
    const good = await send(web, {
      path: '/api/retained?prefix=nothing/here&limit=5',
      headers: bearer(READ_TOKEN),
    });
    expect(good.status).toBe(200);
    expect(JSON.parse(good.body)).toEqual({
      filter: 'nothing/here/#',
      total: 0,
      truncated: false,
      entries: [],
    });
  });
});
