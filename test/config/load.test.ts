import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfig } from '../../config/load.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'busbar-config-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writeConfig(name: string, text: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, text);
  return file;
}

function problemsOf(action: () => unknown): { path: string; message: string }[] {
  try {
    action();
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('config loading', () => {
  it('gives the embedded defaults without a file', async () => {
    const config = await loadConfig(undefined);
    expect(config.baseTopic).toBe('busbar');
    expect(config.broker.listeners).toEqual([{ type: 'tcp', host: '127.0.0.1', port: 1883 }]);
    expect(config.broker.persistence).toEqual({ type: 'memory' });
    expect(config.broker.drainTimeout).toBe(10_000);
    expect(Object.isFrozen(config.broker)).toBe(true);
  });

  it('names an unknown key with its full path', () => {
    const problems = problemsOf(() =>
      parseConfig({ broker: { listeners: [{ type: 'tcp', prot: 1884 }] }, colour: 'blue' }),
    );
    expect(problems).toContainEqual({ path: 'broker.listeners[0].prot', message: 'unknown key' });
    expect(problems).toContainEqual({ path: 'colour', message: 'unknown key' });
  });

  it('reports every problem at once, each with its path', () => {
    const problems = problemsOf(() =>
      parseConfig({
        broker: {
          drainTimeout: 'soon',
          users: [{ username: 'a', password: 'plain-text' }],
          listeners: [{ type: 'udp' }],
        },
      }),
    );
    const paths = problems.map((p) => p.path);
    expect(paths).toEqual(
      expect.arrayContaining(['broker.drainTimeout', 'broker.users[0].password', 'broker.listeners[0].type']),
    );
    expect(problems.find((p) => p.path === 'broker.users[0].password')?.message).toMatch(/busbar passwd/);
  });

  it('requires bus.remote when the embedded broker is off', () => {
    expect(problemsOf(() => parseConfig({ broker: { enabled: false } }))).toContainEqual({
      path: 'bus.remote',
      message: expect.stringMatching(/required when broker.enabled is false/),
    });
  });

  it('checks ingest rule patterns and templates', () => {
    const problems = problemsOf(() =>
      parseConfig({
        ingest: {
          rules: [
            { topic: 'sensors/+room/temp', measurement: '{measurement}' },
            { topic: 'busbar/metrics/#' },
            { topic: 'a/#rest/b' },
          ],
        },
      }),
    );
    expect(problems.map((p) => p.path)).toEqual([
      'ingest.rules[0].measurement',
      'ingest.rules[1].topic',
      'ingest.rules[2].topic',
    ]);
  });

  it('substitutes ${ENV}, ${ENV:-default} and ${file:...}', async () => {
    const secret = await writeConfig('secret.txt', 's3cret\n');
    const config = parseConfig(
      {
        broker: { listeners: [{ type: 'tcp', port: '${MQTT_PORT}', host: '${MQTT_HOST:-127.0.0.2}' }] },
        bus: {
          remote: { url: 'mqtt://x', password: `\${file:${secret}}`, username: 'literal $${NOT_A_VAR}' },
        },
      },
      { env: { MQTT_PORT: '1999' } },
    );
    expect(config.broker.listeners[0]).toMatchObject({ port: 1999, host: '127.0.0.2' });
    expect(config.bus.remote?.password).toBe('s3cret');
    expect(config.bus.remote?.username).toBe('literal ${NOT_A_VAR}');
  });

  it('names the path and the variable of a missing substitution', () => {
    const problems = problemsOf(() =>
      parseConfig(
        { bus: { remote: { password: '${NO_SUCH_VAR_X}' } }, broker: { enabled: false } },
        { env: {} },
      ),
    );
    expect(problems).toContainEqual({
      path: 'bus.remote.password',
      message: expect.stringMatching(/NO_SUCH_VAR_X is not set/),
    });
  });

  it('reports YAML syntax errors with line and column', async () => {
    const file = await writeConfig('bad.yaml', 'broker:\n  listeners: [\n');
    await expect(loadConfig(file)).rejects.toMatchObject({
      problems: [{ path: expect.stringMatching(/^line \d+/) }],
    });
  });

  it('refuses a duplicated key in YAML', async () => {
    const file = await writeConfig('dup.yaml', 'baseTopic: a\nbaseTopic: b\n');
    await expect(loadConfig(file)).rejects.toBeInstanceOf(ConfigError);
  });

  it('says which file cannot be read', async () => {
    await expect(loadConfig(path.join(dir, 'missing.yaml'))).rejects.toThrow(/missing\.yaml.*ENOENT/s);
  });
});
