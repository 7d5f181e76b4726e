/**
 * Delivery behaviour a real database cannot be made to show on demand (Retry-After, 413, 401, 503),
 * against a small HTTP server that answers as scripted and records what it received.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Deliverer } from '../../sinks/influx/deliverer.js';
import { parseRetryAfter } from '../../sinks/influx/http-write.js';
import { SinkStats } from '../../sinks/influx/sink-stats.js';
import { MemoryOutbox } from '../../sinks/outbox/memory-outbox.js';
import { captureLog } from '../helpers/log-capture.js';
import { waitFor } from '../helpers/mqtt-clients.js';

interface Received {
  at: number;
  body: string;
  headers: IncomingMessage['headers'];
}

type Answer = (request: Received, res: ServerResponse) => void;

let server: Server;
let url: string;
let received: Received[];
let answer: Answer;
let stop: AbortController;

beforeEach(async () => {
  received = [];
  answer = (_request, res) => res.writeHead(204).end();
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw).toString() : raw.toString();
      const request = { at: performance.now(), body, headers: req.headers };
      received.push(request);
      answer(request, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/write`;
  stop = new AbortController();
});

afterEach(async () => {
  stop.abort();
  await new Promise((resolve) => server.close(resolve));
});

function deliverer(options: { retryDelayMs?: number; maxRetryDelayMs?: number } = {}) {
  const outbox = new MemoryOutbox(1 << 20);
  const stats = new SinkStats();
  const letters: { line: string; reason: string }[] = [];
  const log = captureLog('debug');
  const instance = new Deliverer({
    outbox,
    target: { url, headers: { Authorization: 'Basic c2VjcmV0' }, display: url },
    stats,
    log: log.logger,
    precision: 'ns',
    timeoutMs: 2_000,
    retryDelayMs: options.retryDelayMs ?? 20,
    maxRetryDelayMs: options.maxRetryDelayMs ?? 160,
    deadletter: (line, reason) => letters.push({ line, reason }),
    random: () => 1, // the top of each jitter range: delays are exactly 20, 40, 80, 160, 160 ms
  });
  const running = instance.run(stop.signal);
  return {
    outbox,
    stats,
    letters,
    log,
    running,
    // Stored as the sink stores them: gzip-compressed.
    push: (body: string, lines: number) => (outbox.append(gzipSync(body), lines, 'gzip'), instance.wake()),
  };
}

const gaps = (): number[] => received.slice(1).map((r, i) => r.at - received[i]!.at);

describe('delivery', () => {
  it('sends gzip bodies with the credentials, in order', async () => {
    const d = deliverer();
    d.push('a v=1 1', 1);
    d.push('b v=1 2\nb v=2 3', 2);
    await waitFor(() => d.stats.written === 3, 'three lines written');
    expect(received.map((r) => r.body)).toEqual(['a v=1 1', 'b v=1 2\nb v=2 3']);
    expect(received[0]!.headers).toMatchObject({
      'content-encoding': 'gzip',
      authorization: 'Basic c2VjcmV0',
    });
  });

  it('retries with exponential backoff (jittered) while the server fails, and loses nothing', async () => {
    answer = (_request, res) =>
      received.length <= 5 ? res.writeHead(500).end('down') : res.writeHead(204).end();
    const d = deliverer();
    d.push('m v=1 1', 1);
    await waitFor(() => d.stats.written === 1, 'the line written after five failures');
    const expected = [20, 40, 80, 160, 160];
    gaps().forEach((gap, i) => expect(gap).toBeGreaterThanOrEqual(expected[i]! - 2));
    expect(d.stats.retries).toBe(5);
    expect(new Set(received.map((r) => r.body))).toEqual(new Set(['m v=1 1']));
    const errors = d.log.find('cannot write to');
    expect(errors).toHaveLength(1); // one log line per outage, not one per attempt
    expect(errors[0]).toMatchObject({ url, reason: `${url}: HTTP 500 down` });
  });

  it('honours Retry-After on 429 and 503 instead of its own shorter backoff', async () => {
    answer = (_request, res) =>
      received.length === 1 ? res.writeHead(503, { 'Retry-After': '1' }).end() : res.writeHead(204).end();
    const d = deliverer();
    d.push('m v=1 1', 1);
    await waitFor(() => d.stats.written === 1, 'the line written after Retry-After');
    expect(gaps()[0]).toBeGreaterThanOrEqual(990);
    expect(
      parseRetryAfter('Wed, 21 Oct 2015 07:28:30 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT')),
    ).toBe(30_000);
  });

  it('keeps data and retries on 401/404 (an operator must act; nothing is dropped)', async () => {
    answer = (_request, res) =>
      received.length <= 2
        ? res.writeHead(404).end('{"error":"database not found: \\"x\\""}')
        : res.writeHead(204).end();
    const d = deliverer();
    d.push('m v=1 1', 1);
    await waitFor(() => d.stats.written === 1, 'the line written once the database exists');
    expect(d.letters).toEqual([]);
    expect(d.stats.lastError).toContain('database not found');
  });

  it('splits a batch the server finds too large (413) until the parts fit', async () => {
    answer = (request, res) =>
      request.body.split('\n').length > 2 ? res.writeHead(413).end() : res.writeHead(204).end();
    const d = deliverer();
    const lines = Array.from({ length: 7 }, (_, i) => `m v=${i} ${i}`);
    d.push(lines.join('\n'), 7);
    await waitFor(() => d.stats.written === 7, 'seven lines written in parts');
    const delivered = received
      .filter((r) => r.body.split('\n').length <= 2)
      .flatMap((r) => r.body.split('\n'));
    expect(delivered).toEqual(lines);
    expect(d.letters).toEqual([]);
  });

  it('bisects a refused batch (400) down to the offending lines and dead-letters them with the reason', async () => {
    answer = (request, res) =>
      request.body.includes('bad')
        ? res.writeHead(400).end(JSON.stringify({ error: 'partial write: field type conflict dropped=1' }))
        : res.writeHead(204).end();
    const d = deliverer();
    const lines = Array.from({ length: 64 }, (_, i) =>
      i === 9 || i === 50 ? `bad v=${i} ${i}` : `m v=${i} ${i}`,
    );
    d.push(lines.join('\n'), 64);
    await waitFor(() => d.stats.written + d.stats.deadlettered === 64, 'every line written or dead-lettered');
    expect(d.letters).toEqual([
      { line: 'bad v=9 9', reason: `${url}: HTTP 400 partial write: field type conflict dropped=1` },
      { line: 'bad v=50 50', reason: `${url}: HTTP 400 partial write: field type conflict dropped=1` },
    ]);
    expect(d.stats.written).toBe(62);
    // log2(64) levels for two lines: far fewer requests than one per line.
    expect(received.length).toBeLessThan(30);
  });
});
