/** `busbar start` as the command runs it: the web server is one of its components, stopped on SIGTERM. */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { spawnCli, waitForOutput } from '../helpers/cli.js';
import { freePort } from '../helpers/ports.js';
import { tempDir } from '../helpers/process.js';

let dir: Awaited<ReturnType<typeof tempDir>>;

beforeAll(async () => {
  dir = await tempDir('web-start');
});

afterAll(async () => {
  await dir?.remove();
});

it('busbar start serves /health and /metrics on web.port, and closes it on SIGTERM', async () => {
  const port = await freePort();
  const file = path.join(dir.path, 'busbar.yaml');
  await writeFile(
    file,
    [
      'log: { format: json }',
      `broker: { listeners: [{ type: tcp, host: 127.0.0.1, port: 0 }], journal: { path: ${JSON.stringify(path.join(dir.path, 'journal'))} } }`,
      'agent: { enabled: false }',
      `sinks: { history: { path: ${JSON.stringify(path.join(dir.path, 'history.db'))} } }`,
      `web: { port: ${port} }`,
      '',
    ].join('\n'),
  );
  const busbar = spawnCli(['start', '-c', file]);
  await waitForOutput(busbar.output, (text) => text.includes('web ready'));
  expect(busbar.output()).toContain(`"url":"http://127.0.0.1:${port}"`);
  let health = await fetch(`http://127.0.0.1:${port}/health`);
  for (let i = 0; i < 200 && health.status !== 200; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    health = await fetch(`http://127.0.0.1:${port}/health`);
  }
  expect(await health.text()).toBe('OK\n');
  expect(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()).toContain('busbar_web_requests');
  busbar.child.kill('SIGTERM');
  expect(await busbar.exited).toBe(0);
  await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
});
