import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPassword } from '../../broker/passwords.js';
import { runCli, spawnCli, waitForOutput } from '../helpers/cli.js';
import { freePort } from '../helpers/ports.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'busbar-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('busbar CLI', () => {
  it('prints its version and help', async () => {
    const version = await runCli(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    for (const command of ['start', 'check-config', 'passwd']) expect(help.stdout).toContain(command);
  });

  it('check-config accepts the example and refuses a bad file, naming every path', async () => {
    const good = await runCli(['check-config', '-c', 'config/example.yaml']);
    expect(good.code).toBe(0);
    expect(good.stdout).toMatch(/valid/);

    const file = path.join(dir, 'bad.yaml');
    await writeFile(
      file,
      'broker:\n  listeners:\n    - type: tcp\n      prot: 1\n  drainTimeout: later\nlogs: {}\n',
    );
    const bad = await runCli(['check-config', '-c', file]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('broker.listeners[0].prot: unknown key');
    expect(bad.stderr).toContain('broker.drainTimeout');
    expect(bad.stderr).toContain('logs: unknown key');
  });

  it('passwd prints a users entry whose hash verifies, and never the password', async () => {
    const result = await runCli(['passwd', 'alice'], { input: 'correct horse battery\n' });
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain('correct horse battery');
    const hash = /password: "(scrypt\$[^"]+)"/.exec(result.stdout)?.[1];
    expect(hash).toBeDefined();
    expect(await verifyPassword('correct horse battery', hash!)).toBe(true);
    expect(await verifyPassword('wrong horse', hash!)).toBe(false);
  });

  it('passwd refuses a short password', async () => {
    const result = await runCli(['passwd', 'bob'], { input: 'short\n' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/at least 8/);
  });

  it('start serves MQTT and exits 0 on SIGTERM after closing its listener', async () => {
    const port = await freePort();
    const file = path.join(dir, 'start.yaml');
    await writeFile(
      file,
      `log: { format: json }\nweb: { port: 0 }\nbroker:\n  listeners:\n    - { type: tcp, host: 127.0.0.1, port: ${port} }\n`,
    );
    const busbar = spawnCli(['start', '-c', file]);
    await waitForOutput(busbar.output, (text) => text.includes('busbar ready'));
    // Said once every component of the defaults takes its inputs, and names them.
    const ready = busbar
      .output()
      .split('\n')
      .filter((line) => line.includes('"busbar ready"'))
      .map((line) => JSON.parse(line) as { components: string[] });
    expect(ready).toHaveLength(1);
    expect(ready[0]!.components).toEqual(
      expect.arrayContaining(['ingest', 'agent', 'history', 'alarms', 'web']),
    );
    expect(busbar.output()).not.toContain('still starting');

    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0 });
    const received = new Promise<string>((resolve) =>
      client.on('message', (_t, payload) => resolve(payload.toString())),
    );
    await client.subscribeAsync('sensors/#');
    await client.publishAsync('sensors/x', 'hello', { qos: 1 });
    expect(await received).toBe('hello');
    await client.endAsync();

    busbar.child.kill('SIGTERM');
    expect(await busbar.exited).toBe(0);
    expect(busbar.output()).toContain('busbar stopped');
    await expect(
      mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0, connectTimeout: 1000 }),
    ).rejects.toThrow();
  });

  it('start refuses an invalid config before opening anything', async () => {
    const file = path.join(dir, 'invalid.yaml');
    await writeFile(file, 'broker: { maxTopicLevels: 0 }\n');
    const result = await runCli(['start', '-c', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('broker.maxTopicLevels');
  });
});
