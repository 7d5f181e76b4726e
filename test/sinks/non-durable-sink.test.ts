import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBusbar, type TestBusbar } from '../helpers/busbar.js';
import { Clients, waitFor } from '../helpers/mqtt-clients.js';

let server: Server;
let busbar: TestBusbar;
const clients = new Clients();
const received: { url: string; body: string; authorization: string | undefined }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw).toString() : raw.toString();
      received.push({ url: req.url ?? '', body, authorization: req.headers.authorization });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  busbar = await startTestBusbar({
    sinks: {
      history: { enabled: false },
      influxdb: {
        url: `http://127.0.0.1:${port}/prefix/`,
        token: 'tok',
        org: 'my org',
        bucket: 'b',
        precision: 'ms',
        durable: false,
        flushInterval: '30ms',
      },
    },
  });
});

afterAll(async () => {
  await clients.closeAll();
  await busbar.stop();
  await new Promise((resolve) => server.close(resolve));
});

describe('a non-durable v2 sink', () => {
  it('batches in memory and writes with the token, org, bucket and precision asked for', async () => {
    const device = await clients.connect(busbar.url);
    await device.publishAsync(
      'busbar/metrics/s/m',
      'm,host=a v=1 1732530000123000000\nm,host=a v=2 1732530000124000000',
      {
        qos: 1,
      },
    );
    await waitFor(() => received.length > 0, 'a write request');
    expect(received[0]).toEqual({
      url: '/prefix/api/v2/write?org=my+org&bucket=b&precision=ms',
      body: 'm,host=a,source=s v=1 1732530000123\nm,host=a,source=s v=2 1732530000124',
      authorization: 'Token tok',
    });
  });
});
