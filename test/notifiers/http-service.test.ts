/**
 * The templated HTTP service through busbar's notifier path: a message on a device topic → the
 * route → one request per target, each value escaped for where it lands. JSON bodies carry any text
 * exactly (quotes, backslashes, line breaks, `</script>`), a form body URL-encodes it, the URL
 * encodes its values, a header can neither be split by a line break nor refused for non-Latin-1
 * text, and a value alone keeps its type. A local server receives what a real one would.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startTestBusbar, type TestBusbar } from '../helpers/busbar.js';
import { waitFor } from '../helpers/mqtt-clients.js';
import { jsonBody, startReceiver, type Receiver } from './http-receiver.js';

let busbar: TestBusbar | undefined;
let receiver: Receiver | undefined;

afterEach(async () => {
  await busbar?.stop();
  await receiver?.close();
  busbar = receiver = undefined;
});

const WHO = 'Ann "the boss" O\'Neil \\ <script>alert(1)</script> & co';
const NOTE = 'line one\nline two\t{not a value} ünïcødé 🔥 a=b&c=d+e%20';
const ROOM = 'hall/east wing?&#';

async function start(target: Record<string, unknown>): Promise<void> {
  receiver = await startReceiver(() => ({ status: 200, body: 'ok' }));
  busbar = await startTestBusbar({
    agent: { enabled: false },
    notifiers: {
      enabled: true,
      services: { http: { hook: { ...target, url: `${receiver.url}${String(target.url)}` } } },
      routes: [
        {
          name: 'door',
          topic: 'home/#',
          title: '{payload.who}',
          message: '{payload.note}',
          targets: ['http:hook'],
        },
      ],
    },
  });
  await busbar.running.bus.publish(
    'home/door/open',
    JSON.stringify({ who: WHO, note: NOTE, room: ROOM, count: 3, open: true, tags: ['a', 'b'] }),
    { qos: 1 },
  );
  await waitFor(() => receiver!.received.length === 1, 'the request');
}

describe('the http service', () => {
  it('sends JSON that carries every value exactly, typed where a value stands alone', async () => {
    await start({
      url: '/hook/{payload.room}?from={topic[0]}',
      method: 'PUT',
      headers: { 'X-Who': '{title}', 'X-Note': '{message}', Authorization: 'Bearer s3cr3t-t0ken-value' },
      body: {
        text: '{title} says: {message}',
        who: '{title}',
        count: '{payload.count}',
        open: '{payload.open}',
        tags: '{payload.tags}',
        nested: { list: ['{status}', '{severity}', 'as written'], key: '{key}' },
      },
    });
    const request = receiver!.received[0]!;
    expect(request.method).toBe('PUT');
    expect(request.path).toBe(`/hook/${encodeURIComponent(ROOM)}`);
    expect(request.query.get('from')).toBe('home');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers.authorization).toBe('Bearer s3cr3t-t0ken-value');
    expect(request.headers['x-who']).toBe(WHO);
    // A line break would end the header: it became a space; non-Latin-1 text an RFC 2047 word.
    const note = request.headers['x-note'] as string;
    const word = /^=\?UTF-8\?B\?(.+)\?=$/.exec(note);
    expect(Buffer.from(word![1]!, 'base64').toString('utf8')).toBe(NOTE.replace('\n', ' '));
    expect(jsonBody(request)).toEqual({
      text: `${WHO} says: ${NOTE}`,
      who: WHO,
      count: 3,
      open: true,
      tags: ['a', 'b'],
      // Not an alarm: firing, with the severity the route's priority (normal) gives, keyed by topic.
      nested: { list: ['firing', 'warning', 'as written'], key: 'home/door/open' },
    });
  });

  it('URL-encodes a form body', async () => {
    await start({
      url: '/form',
      encoding: 'form',
      body: { who: '{title}', note: '{message}', count: '{payload.count}' },
    });
    const request = receiver!.received[0]!;
    expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(request.text).not.toContain('&c=d');
    expect(Object.fromEntries(new URLSearchParams(request.text))).toEqual({
      who: WHO,
      note: NOTE,
      count: '3',
    });
  });

  it('sends a text body as it renders', async () => {
    await start({ url: '/text', encoding: 'text', body: '{title}\n{message}' });
    const request = receiver!.received[0]!;
    expect(request.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(request.text).toBe(`${WHO}\n${NOTE}`);
  });

  it('cuts a body field to its limit in characters, not bytes', async () => {
    await start({ url: '/cut', body: { note: '{message}', short: 'ok' }, limits: { note: 40, short: 40 } });
    const body = jsonBody(receiver!.received[0]!)!;
    expect([...(body.note as string)]).toHaveLength(40);
    expect(body.note).toBe(`${[...NOTE].slice(0, 39).join('')}…`);
    expect(body.short).toBe('ok');
  });
});
