/**
 * Bodies and messages over their limits: a body over web.maxBodySize, as sent or once gunzipped (a
 * gzip bomb), is a 413; HTTP publishing makes no message an MQTT client could not send (over
 * broker.maxPacketSize: 413; a write is split between lines instead) and obeys broker.acl.
 */
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BusMessage } from '../../core/bus/bus.js';
import { publishPacketLength } from '../../web/ingest-routes.js';
import { waitFor } from '../helpers/mqtt-clients.js';
import {
  ADMIN,
  WRITE_TOKEN,
  basic,
  bearer,
  send,
  startWebBusbar,
  webUsers,
  type WebBusbar,
} from './web-fixture.js';

const MAX_PACKET = 1_024;
let web: WebBusbar;
const seen: BusMessage[] = [];

beforeAll(async () => {
  const users = await webUsers();
  web = await startWebBusbar(
    {
      ...users,
      agent: { enabled: false },
      broker: {
        ...users.broker,
        maxPacketSize: MAX_PACKET,
        acl: [
          { user: '*', topic: 'devices/#', access: 'publish' },
          { user: '*', topic: 'busbar/metrics/#', access: 'publish' },
        ],
      },
    },
    { maxBodySize: '64KiB' },
  );
  for (const filter of ['devices/#', 'busbar/metrics/#'])
    await web.busbar.running.bus.subscribe(filter, (message) => void seen.push(message));
});

afterAll(async () => {
  await web?.stop();
});

const post = (path: string, body: Buffer | string, headers: Record<string, string> = {}) =>
  send(web, { method: 'POST', path, headers: { ...bearer(WRITE_TOKEN), ...headers }, body });

describe('request bodies', () => {
  it('answers 413 to a gzip bomb, a body over the limit and a Content-Length over it', async () => {
    const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024, 'a'));
    expect(bomb.length).toBeLessThan(64 * 1024);
    const inflated = await post('/api/v2/write?bucket=b', bomb, { 'content-encoding': 'gzip' });
    expect(inflated.status).toBe(413);
    expect(JSON.parse(inflated.body)).toEqual({
      code: 'too large',
      message: 'request body over 65536 bytes',
    });
    expect((await post('/api/v2/write?bucket=b', Buffer.alloc(65 * 1024, 'a'))).status).toBe(413);
    const declared = await send(web, {
      method: 'POST',
      path: '/api/publish/devices/x',
      headers: { ...bearer(WRITE_TOKEN), 'content-length': String(1024 * 1024 * 1024) },
      body: '',
    }).catch((error: unknown) => error);
    // Answered (413) before the body it announced; the connection is closed after that.
    expect((declared as { status?: number }).status).toBe(413);
    // A body under the limit once inflated still goes through.
    const fine = await post('/api/v2/write?bucket=b', gzipSync('gz,host=d1 v=1'), {
      'content-encoding': 'gzip',
    });
    expect(fine.status).toBe(204);
  });
});

describe('HTTP publishing as an MQTT client', () => {
  it('refuses a publish over broker.maxPacketSize with 413, and takes one that fits', async () => {
    const topic = 'devices/d1/blob';
    const fits = MAX_PACKET - publishPacketLength(topic, 0);
    const over = await post(`/api/publish/${topic}?retain=true`, Buffer.alloc(fits + 1, 'x'));
    expect(over.status).toBe(413);
    expect(JSON.parse(over.body).message).toBe(
      `a ${fits + 1}-byte message on ${topic} is over broker.maxPacketSize (${MAX_PACKET} bytes)`,
    );
    expect((await post(`/api/publish/${topic}`, Buffer.alloc(fits, 'x'))).status).toBe(200);
    await waitFor(() => seen.some((m) => m.topic === topic), 'the publish that fits');
    expect(seen.filter((m) => m.topic === topic).map((m) => m.payload.length)).toEqual([fits]);
  });

  it('splits a write into messages that fit, between lines; a line that cannot fit refuses it whole', async () => {
    const lines = Array.from({ length: 100 }, (_, i) => `split,host=d2 value=${i} ${1_700_000_000 + i}`);
    expect((await post('/api/v2/write?bucket=b&precision=s', lines.join('\n'))).status).toBe(204);
    const topic = 'busbar/metrics/d2/split';
    const on = () => seen.filter((m) => m.topic === topic);
    await waitFor(
      () => on().flatMap((m) => m.payload.toString().split('\n')).length === 100,
      'all 100 lines',
    );
    expect(on().length).toBeGreaterThan(1);
    for (const message of on())
      expect(publishPacketLength(topic, message.payload.length)).toBeLessThanOrEqual(MAX_PACKET);
    const values = on().flatMap((m) =>
      m.payload
        .toString()
        .split('\n')
        .map((line) => line.split(' ')[1]),
    );
    expect(values).toEqual(lines.map((line) => line.split(' ')[1]));

    const huge = `huge,host=d2 text="${'y'.repeat(MAX_PACKET)}"\nhuge,host=d2 v=1`;
    const refused = await post('/api/v2/write?bucket=b', huge);
    expect(refused.status).toBe(413);
    expect(seen.some((m) => m.topic === 'busbar/metrics/d2/huge')).toBe(false);
  });

  it('refuses a topic broker.acl denies, as the broker refuses it to an MQTT client', async () => {
    const denied = await send(web, {
      method: 'POST',
      path: '/api/publish/busbar/alarms/disk_full/web1?retain=true',
      headers: basic(ADMIN),
      body: '{"state":"firing"}',
    });
    expect(denied.status).toBe(403);
    expect(JSON.parse(denied.body).message).toBe(
      'broker.acl denies publishing to busbar/alarms/disk_full/web1',
    );
    const alarms = await send(web, { path: '/api/alarms', headers: basic(ADMIN) });
    expect(alarms.status).toBe(200);
    expect(alarms.body).not.toContain('disk_full');
  });
});
