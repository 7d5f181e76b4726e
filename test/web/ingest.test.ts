import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BusMessage } from '../../core/bus/bus.js';
import { waitFor } from '../helpers/mqtt-clients.js';
import { ADMIN, WRITE_TOKEN, bearer, startWebBusbar, webUsers, type WebBusbar } from './web-fixture.js';

let web: WebBusbar;
const seen: BusMessage[] = [];

beforeAll(async () => {
  web = await startWebBusbar(
    {
      ...(await webUsers()),
      ingest: {
        rules: [{ topic: 'sensors/+room/+measurement', source: '{room}', format: 'value' }],
      },
    },
    { allowAnonymous: false },
  );
  for (const filter of ['busbar/metrics/#', 'busbar/deadletter/#', 'sensors/#'])
    await web.busbar.running.bus.subscribe(filter, (message) => void seen.push(message));
});

afterAll(async () => {
  await web?.stop();
});

const on = async (topic: string): Promise<string[]> => {
  await waitFor(() => seen.some((m) => m.topic === topic), `a message on ${topic}`);
  return seen.filter((m) => m.topic === topic).map((m) => m.payload.toString());
};

describe('InfluxDB-compatible write API', () => {
  it('POST /api/v2/write publishes line protocol per source (host tag) and measurement, in nanoseconds', async () => {
    const response = await fetch(`${web.base}/api/v2/write?org=site&bucket=metrics&precision=s`, {
      method: 'POST',
      headers: { ...bearer(WRITE_TOKEN), 'content-type': 'text/plain' },
      body: 'cpu,host=web1 usage_user=12.5 1732530000\ncpu,host=web1 usage_user=13 1732530010\nmem,host=web1 used=4i 1732530000\n',
    });
    expect(response.status).toBe(204);
    expect(await on('busbar/metrics/web1/cpu')).toEqual([
      'cpu,host=web1 usage_user=12.5 1732530000000000000\ncpu,host=web1 usage_user=13 1732530010000000000',
    ]);
    expect(await on('busbar/metrics/web1/mem')).toEqual(['mem,host=web1 used=4i 1732530000000000000']);
  });

  it('gives lines without a timestamp the arrival time, and without host tag the source "http" or ?source=', async () => {
    // busbar's clock keeps within a millisecond of Date.now() (core/codecs/metric.ts nowNs).
    const before = (BigInt(Date.now()) - 1n) * 1_000_000n;
    const response = await fetch(`${web.base}/api/v2/write?bucket=b`, {
      method: 'POST',
      headers: bearer(WRITE_TOKEN),
      body: 'boiler temp=61.5',
    });
    expect(response.status).toBe(204);
    const [line] = await on('busbar/metrics/http/boiler');
    const ns = BigInt(line!.split(' ')[2]!);
    expect(ns >= before && ns <= (BigInt(Date.now()) + 1n) * 1_000_000n).toBe(true);
    await fetch(`${web.base}/api/v2/write?bucket=b&source=cellar`, {
      method: 'POST',
      headers: bearer(WRITE_TOKEN),
      body: 'boiler temp=60 1732530000000000000',
    });
    expect(await on('busbar/metrics/cellar/boiler')).toEqual(['boiler temp=60 1732530000000000000']);
  });

  it('POST /write (1.x) takes gzip bodies and u/p credentials, with precision ms', async () => {
    const u = encodeURIComponent(ADMIN.username);
    const p = encodeURIComponent(ADMIN.password);
    const response = await fetch(`${web.base}/write?db=telegraf&precision=ms&u=${u}&p=${p}`, {
      method: 'POST',
      headers: { 'content-encoding': 'gzip' },
      body: gzipSync('net,host=gw1 bytes_recv=100i 1732530000123'),
    });
    expect(response.status).toBe(204);
    expect(await on('busbar/metrics/gw1/net')).toEqual(['net,host=gw1 bytes_recv=100i 1732530000123000000']);
  });

  it('keeps the good lines of a partial write, answers 400 naming the bad ones, and the ingest path dead-letters them', async () => {
    const response = await fetch(`${web.base}/api/v2/write?bucket=b`, {
      method: 'POST',
      headers: bearer(WRITE_TOKEN),
      body: 'ups,host=ups1 load=40\nups,host=ups1 load=4x0\n',
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { code: string; message: string };
    expect(body.code).toBe('invalid');
    expect(body.message).toMatch(/^1 line\(s\) refused, 1 accepted: line 2: /);
    expect((await on('busbar/metrics/ups1/ups'))[0]).toMatch(/^ups,host=ups1 load=40 \d+$/);
    const [deadletter] = await on('busbar/deadletter/line-protocol');
    const parsed = JSON.parse(deadletter!) as { topic: string };
    expect(parsed.topic).toBe('busbar/metrics/http/_http');
  });

  it('refuses an unknown precision and requests without credentials', async () => {
    const bad = await fetch(`${web.base}/api/v2/write?precision=h`, {
      method: 'POST',
      headers: bearer(WRITE_TOKEN),
      body: 'm v=1',
    });
    expect(bad.status).toBe(400);
    const anonymous = await fetch(`${web.base}/api/v2/write`, { method: 'POST', body: 'm v=1' });
    expect(anonymous.status).toBe(401);
  });
});

describe('POST /api/publish/<topic>', () => {
  it('publishes the body as is; an ingest rule then turns it into a metric', async () => {
    const response = await fetch(`${web.base}/api/publish/sensors/kitchen/temperature`, {
      method: 'POST',
      headers: bearer(WRITE_TOKEN),
      body: '21.5',
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ topic: 'sensors/kitchen/temperature', bytes: 4, retain: false });
    expect(await on('sensors/kitchen/temperature')).toEqual(['21.5']);
    expect((await on('busbar/metrics/kitchen/temperature'))[0]).toMatch(/^temperature value=21.5 \d+$/);
  });

  it('refuses wildcard, $SYS and badly escaped topics', async () => {
    for (const topic of ['sensors/%2B/x', 'sensors/%23', '%24SYS/broker/x', 'bad/%E0%A4%A']) {
      const response = await fetch(`${web.base}/api/publish/${topic}`, {
        method: 'POST',
        headers: bearer(WRITE_TOKEN),
        body: '1',
      });
      expect(response.status).toBe(400);
    }
  });
});
