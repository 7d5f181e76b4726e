import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebBusbar, webUsers, type WebBusbar } from './web-fixture.js';

let web: WebBusbar;

beforeAll(async () => {
  web = await startWebBusbar({ ...(await webUsers()), agent: { enabled: false } });
});

afterAll(async () => {
  await web?.stop();
});

const get = async (path: string) => {
  const response = await fetch(`${web.base}${path}`);
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
};

describe('pages and their static files', () => {
  it('serves the overview and a page per source, escaping the source name', async () => {
    const overview = await get('/');
    expect(overview).toMatchObject({ status: 200, type: 'text/html; charset=utf-8' });
    expect(overview.text).toContain('<script src="/static/overview.js"></script>');
    await web.busbar.running.bus.publish('busbar/status/web1<script>', 'online', { qos: 1, retain: true });
    let source = await get(`/source/${encodeURIComponent('web1<script>')}`);
    for (let i = 0; i < 100 && source.status === 404; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      source = await get(`/source/${encodeURIComponent('web1<script>')}`);
    }
    expect(source.status).toBe(200);
    expect(source.text).toContain('<h1>web1&lt;script&gt;</h1>');
    expect(source.text).toContain('{"source":"web1\\u003cscript>"}');
  });

  it('answers 404 with a page for a source busbar does not know, and serves a favicon', async () => {
    const missing = await get('/source/nosuch');
    expect(missing).toMatchObject({ status: 404, type: 'text/html; charset=utf-8' });
    expect(missing.text).toContain('No source named nosuch');
    expect(await get('/favicon.ico')).toMatchObject({ status: 200, type: 'image/svg+xml; charset=utf-8' });
  });

  it('serves uPlot from the installed package (no internet needed) and the page scripts', async () => {
    // uPlot's code is bundled into the scripts of the pages that draw charts; its stylesheet is served.
    for (const page of ['/static/source.js', '/static/broker.js']) {
      const script = await get(page);
      expect(script, page).toMatchObject({ status: 200, type: 'text/javascript; charset=utf-8' });
      expect(script.text, page).toContain('uplot');
    }
    for (const asset of [
      '/static/uPlot.min.css',
      '/static/busbar.css',
      '/static/overview.js',
      '/static/alarms.js',
      '/static/login.js',
      '/static/favicon.svg',
    ])
      expect((await get(asset)).status, asset).toBe(200);
  });
});

describe('GET /api/events', () => {
  it('streams each numeric field of a source’s metrics as a Server-Sent Event, named as in the history store', async () => {
    const controller = new AbortController();
    const response = await fetch(`${web.base}/api/events?source=web1`, { signal: controller.signal });
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const reader = response.body!.getReader();
    let text = '';
    const read = async (until: RegExp): Promise<void> => {
      while (!until.test(text)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended: ${text}`);
        text += new TextDecoder().decode(value);
      }
    };
    await read(/: connected/);
    const bus = web.busbar.running.bus;
    await bus.publish('busbar/metrics/web2/cpu', 'cpu,host=web2 usage_user=1 1732530000000000000', {
      qos: 1,
    });
    await bus.publish(
      'busbar/metrics/web1/cpu',
      'cpu,host=web1 usage_user=42.5,note="x" 1732530000000000000',
      {
        qos: 1,
      },
    );
    await read(/data: .*\n\n/);
    controller.abort();
    const events = [...text.matchAll(/^data: (.*)$/gm)].map((m) => JSON.parse(m[1]!) as unknown);
    expect(events).toEqual([{ name: 'web1/cpu/usage_user{host=web1}', time: 1732530000000, value: 42.5 }]);
  });
});
