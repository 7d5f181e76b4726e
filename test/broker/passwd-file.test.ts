/**
 * `busbar passwd -b/-c/-D/-U` keeps a password file like `mosquitto_passwd`, and `broker.passwordFile`
 * adds its users to the broker's: the file written by the CLI logs users in at a real broker.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config/load.js';
import { hashPassword } from '../../broker/passwords.js';
import { runCli } from '../helpers/cli.js';
import { Clients } from '../helpers/mqtt-clients.js';
import { tempDir } from '../helpers/process.js';
import { Brokers } from './fixtures.js';

const brokers = new Brokers();
const clients = new Clients();
let dir: Awaited<ReturnType<typeof tempDir>>;

beforeEach(async () => {
  dir = await tempDir('passwd-file');
});
afterEach(async () => {
  await clients.closeAll();
  await brokers.closeAll();
  await dir.remove();
});

const linesOf = async (file: string): Promise<string[]> =>
  (await readFile(file, 'utf8')).trimEnd().split('\n');

/** A broker with the users of a config file naming `passwords` as its `broker.passwordFile`. */
async function brokerWithPasswordFile(passwords: string): Promise<string> {
  const configFile = `${dir.path}/busbar.yaml`;
  await writeFile(configFile, `broker:\n  passwordFile: ${passwords}\n`);
  const config = await loadConfig(configFile, {});
  const { url } = await brokers.start({ users: [...config.broker.users] });
  return url;
}

describe('busbar passwd with a password file', () => {
  it('adds users to a new file with mode 0600, hashed, and never prints the password', async () => {
    const file = `${dir.path}/passwords`;
    const added = await runCli(['passwd', '-b', file, 'alice', 'alice-secret-1']);
    expect(added.code).toBe(0);
    expect(await runCli(['passwd', '-b', file, 'bob', 'bob-secret-22'])).toMatchObject({ code: 0 });
    expect(`${added.stdout}${added.stderr}`).not.toContain('alice-secret-1');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const lines = await linesOf(file);
    expect(lines.map((line) => line.split(':')[0])).toEqual(['alice', 'bob']);
    expect(lines.join('\n')).not.toContain('secret');
    expect(lines[0]).toMatch(/^alice:scrypt\$16384\$8\$1\$/);

    const url = await brokerWithPasswordFile('passwords');
    const alice = await clients.connect(url, { username: 'alice', password: 'alice-secret-1' });
    expect(alice.connected).toBe(true);
    expect(await clients.refusal(url, { username: 'bob', password: 'alice-secret-1' })).toBe(4);
  });

  it('updates a password in place: the old one is refused, the new one logs in', async () => {
    const file = `${dir.path}/passwords`;
    await runCli(['passwd', '-b', file, 'alice', 'alice-secret-1']);
    await runCli(['passwd', '-b', file, 'bob', 'bob-secret-22']);
    const before = await linesOf(file);
    expect(await runCli(['passwd', '-b', file, 'alice', 'alice-secret-2'])).toMatchObject({ code: 0 });
    const after = await linesOf(file);
    expect(after).toHaveLength(2);
    expect(after[0]).not.toBe(before[0]);
    expect(after[1]).toBe(before[1]);

    const url = await brokerWithPasswordFile('passwords');
    expect(await clients.refusal(url, { username: 'alice', password: 'alice-secret-1' })).toBe(4);
    const alice = await clients.connect(url, { username: 'alice', password: 'alice-secret-2' });
    expect(alice.connected).toBe(true);
  });

  it('deletes a user, and refuses to delete one that is not there', async () => {
    const file = `${dir.path}/passwords`;
    await runCli(['passwd', '-b', file, 'alice', 'alice-secret-1']);
    await runCli(['passwd', '-b', file, 'bob', 'bob-secret-22']);
    expect(await runCli(['passwd', '-D', file, 'alice'])).toMatchObject({ code: 0 });
    expect((await linesOf(file)).map((line) => line.split(':')[0])).toEqual(['bob']);
    const missing = await runCli(['passwd', '-D', file, 'alice']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`user "alice" is not in ${file}`);

    const url = await brokerWithPasswordFile('passwords');
    expect(await clients.refusal(url, { username: 'alice', password: 'alice-secret-1' })).toBe(4);
    expect((await clients.connect(url, { username: 'bob', password: 'bob-secret-22' })).connected).toBe(true);
  });

  it('-c overwrites the file with one user', async () => {
    const file = `${dir.path}/passwords`;
    await runCli(['passwd', '-b', file, 'alice', 'alice-secret-1']);
    expect(await runCli(['passwd', '-c', '-b', file, 'carol', 'carol-secret-3'])).toMatchObject({ code: 0 });
    expect((await linesOf(file)).map((line) => line.split(':')[0])).toEqual(['carol']);
  });

  it('-U hashes clear-text lines in place and leaves hashed lines and comments alone', async () => {
    const file = `${dir.path}/passwords`;
    const hashed = `bob:${await hashPassword('bob-secret-22')}`;
    await writeFile(file, `# site users\ncarol:carol-secret-3\n${hashed}\n`);
    const result = await runCli(['passwd', '-U', file]);
    expect(result.code).toBe(0);
    expect(`${result.stdout}${result.stderr}`).not.toContain('carol-secret-3');
    const lines = await linesOf(file);
    expect(lines[0]).toBe('# site users');
    expect(lines[1]).toMatch(/^carol:scrypt\$/);
    expect(lines[2]).toBe(hashed);

    const url = await brokerWithPasswordFile('passwords');
    expect((await clients.connect(url, { username: 'carol', password: 'carol-secret-3' })).connected).toBe(
      true,
    );
    expect((await clients.connect(url, { username: 'bob', password: 'bob-secret-22' })).connected).toBe(true);
  });

  it('names the file and line of a malformed line and leaves the file as it was', async () => {
    const file = `${dir.path}/passwords`;
    await writeFile(file, 'alice:x\nno colon here\n');
    const result = await runCli(['passwd', '-b', file, 'bob', 'bob-secret-22']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${file} line 2: not \`user:password-hash\``);
    expect(await readFile(file, 'utf8')).toBe('alice:x\nno colon here\n');
  });
});

describe('broker.passwordFile in the config', () => {
  async function configProblems(yaml: string): Promise<string[]> {
    const configFile = `${dir.path}/busbar.yaml`;
    await writeFile(configFile, yaml);
    const error = await loadConfig(configFile, {}).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems.map((problem) => `${problem.path}: ${problem.message}`);
  }

  it('refuses a user both in broker.users and in the file, naming both places', async () => {
    const hash = await hashPassword('alice-secret-1');
    await writeFile(`${dir.path}/passwords`, `bob:${hash}\nalice:${hash}\n`);
    const problems = await configProblems(
      `broker:\n  passwordFile: passwords\n  users:\n    - username: alice\n      password: "${hash}"\n`,
    );
    expect(problems).toEqual([
      `broker.passwordFile: user "alice" is in broker.users[0] and in ${dir.path}/passwords line 2; keep one`,
    ]);
  });

  it('refuses clear-text passwords and a missing file, naming file and line, never the password', async () => {
    await writeFile(`${dir.path}/passwords`, '\ncarol:carol-secret-3\n');
    const clear = await configProblems('broker:\n  passwordFile: passwords\n');
    expect(clear).toHaveLength(1);
    expect(clear[0]).toContain(`${dir.path}/passwords line 2: user "carol" has no scrypt hash`);
    expect(clear[0]).not.toContain('carol-secret-3');
    const missing = await configProblems('broker:\n  passwordFile: nowhere\n');
    expect(missing).toEqual([`broker.passwordFile: cannot read ${dir.path}/nowhere (ENOENT)`]);
  });
});
