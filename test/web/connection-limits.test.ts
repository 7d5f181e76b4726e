/**
 * Slowloris and connection floods: half-sent requests are closed (408) by the header timeout while
 * `/health` answers and MQTT clients connect; connections over the total or per-address cap are
 * closed as they arrive, a trusted proxy has no per-address cap, live streams have their own caps;
 * every refusal is counted on busbar/stats/web.
 */
import { connect, type Socket } from 'node:net';
import { request } from 'node:http';
import { connectAsync } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/mqtt-clients.js';
import { send, startWebBusbar, webStatsWhen, webUsers, type WebBusbar } from './web-fixture.js';

let web: WebBusbar | undefined;

afterEach(async () => {
  await web?.stop();
  web = undefined;
});

interface RawConnection {
  readonly socket: Socket;
  closed: boolean;
  received: string;
}

/** Opens a TCP connection from `from`, writes `data` (a request's beginning), and keeps it. */
function openRaw(base: string, from: string, data: string): Promise<RawConnection> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: url.hostname, port: Number(url.port), localAddress: from });
    const connection: RawConnection = { socket, closed: false, received: '' };
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (connection.received += chunk));
    socket.on('error', () => undefined); // a reset is one way of being closed
    socket.on('close', () => (connection.closed = true));
    socket.once('connect', () => {
      if (data !== '') socket.write(data);
      resolve(connection);
    });
    socket.once('error', reject);
  });
}

/** Opens `count` connections, `batch` at a time (the listen backlog is finite). */
async function openMany(
  base: string,
  count: number,
  from: (index: number) => string,
  data: string,
  batch = 250,
): Promise<RawConnection[]> {
  const out: RawConnection[] = [];
  for (let start = 0; start < count; start += batch) {
    const size = Math.min(batch, count - start);
    out.push(
      ...(await Promise.all(Array.from({ length: size }, (_, i) => openRaw(base, from(start + i), data)))),
    );
  }
  return out;
}

const HALF_REQUEST = 'GET /health HTTP/1.1\r\nHost: busbar.test\r\nX-Slow: ';

describe('HTTP limits', () => {
  it('closes 5,000 half-open requests with 408 once the header timeout passes, while /health answers and MQTT connects', async () => {
    const users = await webUsers();
    web = await startWebBusbar(users, {
      headersTimeout: '4s',
      requestTimeout: '8s',
      maxConnections: 10_000,
      maxConnectionsPerAddress: 10_000,
    });
    const base = web.base;
    // From 16 loopback addresses: one address has only ~28,000 ephemeral ports for all tests.
    const slow = await openMany(base, 5_000, (i) => `127.0.2.${1 + (i % 16)}`, HALF_REQUEST);
    const openAtHealth = slow.filter((c) => !c.closed).length;
    const health = await send(web, { path: '/health', from: '127.0.3.1' });
    expect(health.status).toBe(200);
    expect(openAtHealth).toBeGreaterThan(0);
    const mqtt = await connectAsync(web.busbar.url, { reconnectPeriod: 0, connectTimeout: 10_000 });
    await mqtt.endAsync();

    await waitFor(() => slow.every((c) => c.closed), 'every half-open request closed', 60_000);
    expect(slow.filter((c) => c.received.startsWith('HTTP/1.1 408')).length).toBe(5_000);
    // The server notices each closed socket on its own turn of the event loop: wait for the count.
    const stats = await webStatsWhen(web, (s) => (s.timedOut ?? 0) >= 5_000 && (s.connections ?? 0) < 10);
    expect(stats.timedOut).toBeGreaterThanOrEqual(5_000);
    expect(stats.connections).toBeLessThan(10);
  }, 120_000);

  it('closes connections over the per-address and total caps as they arrive, and counts them', async () => {
    web = await startWebBusbar(await webUsers(), {
      maxConnections: 40,
      maxConnectionsPerAddress: 10,
      trustedProxies: ['127.0.4.9'],
      // Idle connections stay open for the whole test: only the caps close them.
      headersTimeout: '60s',
      requestTimeout: '60s',
      keepAliveTimeout: '60s',
    });
    const base = web.base;
    const idle = (from: string, count: number) => openMany(base, count, () => from, '');

    const one = await idle('127.0.4.1', 15);
    await waitFor(() => one.filter((c) => c.closed).length >= 5, 'five connections refused', 10_000);
    expect(one.filter((c) => c.closed)).toHaveLength(5);
    // Another address is not affected (its keep-alive connection stays open: 11 in all).
    const health = await openRaw(base, '127.0.4.2', 'GET /health HTTP/1.1\r\nHost: busbar.test\r\n\r\n');
    await waitFor(() => health.received.includes('OK\n'), '/health answered', 10_000);
    expect(health.received).toMatch(/^HTTP\/1\.1 200/);
    // A trusted proxy carries many clients: no per-address cap for it.
    const proxy = await idle('127.0.4.9', 20);

    // 31 open: nine more fit the total of 40, the other eleven are refused.
    const more = [...(await idle('127.0.4.3', 10)), ...(await idle('127.0.4.4', 10))];
    await waitFor(() => more.filter((c) => c.closed).length >= 11, 'eleven connections refused', 10_000);
    expect(more.filter((c) => c.closed)).toHaveLength(11);
    expect(proxy.filter((c) => c.closed)).toHaveLength(0);
    expect(health.closed).toBe(false);
    expect(web.busbar.log.find('web connection refused').length).toBeGreaterThan(0);

    const stats = await webStatsWhen(web, (s) => (s.connectionsRefused ?? 0) >= 16);
    expect(stats).toMatchObject({ connectionsRefused: 16, connections: 40 });
    for (const connection of [...one, health, ...proxy, ...more]) connection.socket.destroy();
  }, 60_000);

  it('caps live streams in total and per address, answering 503, and frees a place when one closes', async () => {
    web = await startWebBusbar(await webUsers(), { maxEventStreams: 3, maxEventStreamsPerAddress: 2 });
    const url = new URL('/api/events?state=stats', web.base);
    const streams: { status: number; close(): void }[] = [];
    const open = (from: string) =>
      new Promise<{ status: number; close(): void }>((resolve, reject) => {
        const outgoing = request(
          {
            host: url.hostname,
            port: url.port,
            path: `${url.pathname}${url.search}`,
            localAddress: from,
            agent: false,
          },
          (response) => {
            response.on('data', () => undefined);
            const stream = { status: response.statusCode ?? 0, close: () => outgoing.destroy() };
            streams.push(stream);
            resolve(stream);
          },
        );
        outgoing.on('error', reject);
        outgoing.end();
      });

    expect((await open('127.0.5.1')).status).toBe(200);
    const second = await open('127.0.5.1');
    expect(second.status).toBe(200);
    expect((await open('127.0.5.1')).status).toBe(503);
    expect((await open('127.0.5.2')).status).toBe(200);
    expect((await open('127.0.5.3')).status).toBe(503);
    second.close();
    let reopened = 0;
    for (let i = 0; i < 50 && reopened !== 200; i++) reopened = (await open('127.0.5.3')).status;
    expect(reopened).toBe(200);
    // Published every 10 s: once it shows the refusals and the three streams now open.
    await webStatsWhen(web, (s) => (s.eventStreamsRefused ?? 0) >= 2 && s.eventStreams === 3);
    for (const stream of streams) stream.close();
  }, 60_000);
});
