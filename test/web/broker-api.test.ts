/**
 * The broker page's server side over real HTTP and MQTT: a writer kicks a connected client (it is
 * disconnected by the broker, the answer comes once the client list no longer holds it; a reader
 * may not, nor a login cookie sent from another site; a client not listed is a 404); the retained-message browser lists the retained topics
 * under a prefix in order, a page at a time, with sizes and previews, and refuses a wildcard; the
 * broker's messages per second are timed by the server, so a new page gets the past rates at once.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Clients, closed } from '../helpers/mqtt-clients.js';
import {
  ADMIN,
  READ_TOKEN,
  WRITE_TOKEN,
  bearer,
  send,
  startWebBusbar,
  webUsers,
  type WebBusbar,
} from './web-fixture.js';

let web: WebBusbar;
const clients = new Clients();

beforeAll(async () => {
  const users = await webUsers();
  web = await startWebBusbar({
    ...users,
    // Statistics five times a second, so rates come within the test.
    broker: { ...users.broker, sysInterval: '200ms' },
    agent: { enabled: false },
  });
});

afterEach(async () => {
  await clients.closeAll();
});

afterAll(async () => {
  await web?.stop();
});

const json = { 'content-type': 'application/json' };

/** An MQTT client of the broker, logged in as the admin. */
const connectAs = (clientId: string) =>
  clients.connect(web.busbar.url, { clientId, username: ADMIN.username, password: ADMIN.password });

async function listed(): Promise<Array<Record<string, unknown>>> {
  const answer = await send(web, { path: '/api/broker/clients', headers: bearer(READ_TOKEN) });
  return JSON.parse(answer.body) as Array<Record<string, unknown>>;
}

describe('kick a client', () => {
  it('disconnects it through the broker and answers once the list no longer holds it', async () => {
    const victim = await connectAs('kick-me');
    const gone = closed(victim, 15_000);
    await expect
      .poll(async () => (await listed()).map((c) => c.clientId), { timeout: 10_000 })
      .toContain('kick-me');

    const reader = await send(web, {
      method: 'POST',
      path: '/api/broker/clients/kick-me/kick',
      headers: { ...bearer(READ_TOKEN), ...json },
      body: '{}',
    });
    expect(reader.status).toBe(403);
    const notJson = await send(web, {
      method: 'POST',
      path: '/api/broker/clients/kick-me/kick',
      headers: bearer(WRITE_TOKEN),
      body: '{}',
    });
    expect(notJson.status).toBe(415);
    expect(victim.connected).toBe(true);

    // With the login cookie, as the page sends it: only from busbar's own origin.
    const login = await send(web, {
      method: 'POST',
      path: '/login',
      headers: json,
      body: JSON.stringify(ADMIN),
    });
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    const foreign = await send(web, {
      method: 'POST',
      path: '/api/broker/clients/kick-me/kick',
      headers: { cookie, origin: 'http://evil.example', ...json },
      body: '{}',
    });
    expect(foreign.status).toBe(403);
    expect(victim.connected).toBe(true);

    const kick = await send(web, {
      method: 'POST',
      path: '/api/broker/clients/kick-me/kick',
      headers: { cookie, origin: web.base, ...json },
      body: '{}',
    });
    expect(kick.status).toBe(200);
    expect(JSON.parse(kick.body)).toEqual({ clientId: 'kick-me', disconnected: true });
    await gone;
    expect((await listed()).map((c) => c.clientId)).not.toContain('kick-me');

    const unknown = await send(web, {
      method: 'POST',
      path: '/api/broker/clients/nobody-here/kick',
      headers: { ...bearer(WRITE_TOKEN), ...json },
      body: '{}',
    });
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body).message).toBe("no client nobody-here in the broker's client list");
  });

  it('refuses the request topic to MQTT clients: only busbar may ask', async () => {
    const target = await connectAs('stays');
    const attacker = await connectAs('attacker');
    await attacker.publishAsync('busbar/control/kick', JSON.stringify({ clientId: 'stays' }), { qos: 1 });
    // The kick of a client that can be asked proves the broker has handled requests published before it.
    const other = await connectAs('marker');
    const markerGone = closed(other, 15_000);
    await expect
      .poll(async () => (await listed()).map((c) => c.clientId), { timeout: 10_000 })
      .toContain('marker');
    const kick = await send(web, {
      method: 'POST',
      path: '/api/broker/clients/marker/kick',
      headers: { ...bearer(WRITE_TOKEN), ...json },
      body: '{}',
    });
    expect(kick.status).toBe(200);
    await markerGone;
    expect(target.connected).toBe(true);
  });
});

describe('retained-message browser', () => {
  it('lists retained topics under a prefix in topic order, paged, with size and preview', async () => {
    const publisher = await connectAs('retainer');
    for (let i = 0; i < 7; i++)
      await publisher.publishAsync(`browse/room${i}/temp`, `{"celsius": 2${i}.5}`, { qos: 1, retain: true });
    await publisher.publishAsync('browse/blob', Buffer.from([0, 1, 2, 255]), { qos: 1, retain: true });
    await publisher.publishAsync('browse/live', 'not retained', { qos: 1 });
    await publisher.publishAsync('browsex/other', 'outside the prefix', { qos: 1, retain: true });

    const page = async (query: string) => {
      const answer = await send(web, { path: `/api/retained?${query}`, headers: bearer(READ_TOKEN) });
      expect(answer.status, answer.body).toBe(200);
      return JSON.parse(answer.body) as {
        filter: string;
        total: number;
        truncated: boolean;
        entries: Array<{ topic: string; bytes: number; preview: string; binary: boolean }>;
        next?: string;
      };
    };
    const first = await page('prefix=browse&limit=5');
    expect(first.filter).toBe('browse/#');
    expect(first.total).toBe(8);
    expect(first.truncated).toBe(false);
    expect(first.entries.map((e) => e.topic)).toEqual([
      'browse/blob',
      'browse/room0/temp',
      'browse/room1/temp',
      'browse/room2/temp',
      'browse/room3/temp',
    ]);
    expect(first.entries[0]).toMatchObject({ bytes: 4, binary: true, preview: '000102ff' });
    expect(first.entries[1]).toMatchObject({ bytes: 17, binary: false, preview: '{"celsius": 20.5}' });
    expect(first.next).toBe('browse/room3/temp');
    const second = await page(`prefix=browse/&limit=5&after=${encodeURIComponent(first.next!)}`);
    expect(second.entries.map((e) => e.topic)).toEqual([
      'browse/room4/temp',
      'browse/room5/temp',
      'browse/room6/temp',
    ]);
    expect(second.next).toBeUndefined();

    const wildcard = await send(web, {
      path: '/api/retained?prefix=browse/%2B',
      headers: bearer(READ_TOKEN),
    });
    expect(wildcard.status).toBe(400);
  });
});

describe('broker rates', () => {
  it('are kept by the server: a page opening later gets the past rates, none negative', async () => {
    const publisher = await connectAs('rate-publisher');
    type Columns = { at: number[]; received: number[]; sent: number[] };
    let rates: Columns = { at: [], received: [], sent: [] };
    const readRates = async (): Promise<Columns> => {
      rates = JSON.parse(
        (await send(web, { path: '/api/broker/rates', headers: bearer(READ_TOKEN) })).body,
      ) as Columns;
      return rates;
    };
    const publishing = setInterval(() => {
      for (let i = 0; i < 5; i++) void publisher.publishAsync('rates/load', String(i));
    }, 20);
    try {
      await expect
        .poll(async () => (await readRates()).received.filter((rate) => rate > 0).length, { timeout: 15_000 })
        .toBeGreaterThanOrEqual(3);
    } finally {
      clearInterval(publishing);
    }
    expect(rates.at.length).toBe(rates.received.length);
    expect(rates.sent.length).toBe(rates.received.length);
    for (let i = 1; i < rates.at.length; i++) expect(rates.at[i]!).toBeGreaterThan(rates.at[i - 1]!);
    expect(Math.min(...rates.received, ...rates.sent)).toBeGreaterThanOrEqual(0);
    // Server times: within the last minutes, in seconds since the epoch.
    expect(Math.abs(rates.at.at(-1)! - Date.now() / 1000)).toBeLessThan(120);
  });
});
