import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../config/load.js';
import { configKeys } from '../../config/reference/keys.js';
import { uncommentSettings } from '../../config/reference/sample.js';
import { WRITTEN_DEFAULTS } from '../../cli/starter-config.js';
import { runCli } from '../helpers/cli.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'busbar-init-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('busbar config sample', () => {
  it('prints one component as commented YAML', async () => {
    const result = await runCli(['config', 'sample', 'broker']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('\n# broker:\n');
    expect(result.stdout).toContain('  # maxPacketSize: 1MiB\n');
    expect(result.stdout).not.toContain('# notifiers:');
  });

  it('refuses an unknown component, naming the ones there are', async () => {
    const result = await runCli(['config', 'sample', 'brokers']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no component "brokers".*one of: .*broker, bus/);
  });
});

describe('busbar init', () => {
  it('writes a starter file the config loader accepts, with the defaults it names', async () => {
    const file = path.join(dir, 'busbar.yaml');
    const result = await runCli(['init', file]);
    expect(result.code).toBe(0);
    const config = await loadConfig(file, {});
    expect(config).toEqual(parseConfig({}, { env: {} }));
    const text = await readFile(file, 'utf8');
    expect(text).toContain('listeners:\n    - type: tcp\n      port: 1883\n      host: 127.0.0.1\n');
    // Every default it means to write is still a key with a default.
    const keys = new Map(configKeys().map((key) => [key.path, key]));
    for (const written of WRITTEN_DEFAULTS) expect(keys.get(written)?.defaults.length, written).toBe(1);
    // `busbar start -c FILE` reads it with this same loader; check-config says so from the CLI.
    const check = await runCli(['check-config', '-c', file]);
    expect(check.code).toBe(0);
  });

  it('has commented examples (a user file, a device ACL, an email alarm) that validate once uncommented', async () => {
    const file = path.join(dir, 'examples.yaml');
    expect((await runCli(['init', file])).code).toBe(0);
    await writeFile(file, uncommentSettings(await readFile(file, 'utf8')));
    const passwd = await runCli(['passwd', '-b', '-c', path.join(dir, 'passwd'), 'alice', 'correct horse 1']);
    expect(passwd.code).toBe(0);
    const config = await loadConfig(file, { SMTP_PASSWORD: 'secret' });
    expect(config.broker.users.map((user) => user.username)).toEqual(['alice']);
    expect(config.broker.acl.map((rule) => rule.topic)).toEqual(['sensors/%u/#', 'busbar/#']);
    expect(config.notifiers.enabled).toBe(true);
    expect(config.notifiers.services.email.ops?.to).toEqual(['ops@example.org']);
    expect(config.notifiers.routes.map((route) => route.targets)).toEqual([['email:ops']]);
  });

  it('keeps an existing file unless --force', async () => {
    const file = path.join(dir, 'mine.yaml');
    await writeFile(file, 'baseTopic: mine\n');
    const refused = await runCli(['init', file]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('exists');
    expect(await readFile(file, 'utf8')).toBe('baseTopic: mine\n');
    const forced = await runCli(['init', '--force', file]);
    expect(forced.code).toBe(0);
    expect((await loadConfig(file, {})).baseTopic).toBe('busbar');
  });
});
