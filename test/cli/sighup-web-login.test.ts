/**
 * SIGHUP reloads the users the web server logs in, as it reloads the broker's: the web session of a
 * user removed from the password file, or whose password changed, ends and the old password no
 * longer logs in (even one just verified); a user added logs in; a user left alone stays logged in.
 */
import { writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { runCli, spawnCli, waitForOutput } from '../helpers/cli.js';
import { freePort } from '../helpers/ports.js';
import { tempDir } from '../helpers/process.js';

let dir: Awaited<ReturnType<typeof tempDir>>;
let busbar: ReturnType<typeof spawnCli> | undefined;

beforeEach(async () => {
  dir = await tempDir('sighup-web');
});
afterEach(async () => {
  busbar?.child.kill('SIGTERM');
  await busbar?.exited;
  busbar = undefined;
  await dir.remove();
});

const BOB = 'bob-secret-22';
const CAROL = 'carol-secret-3';
const DAVE = 'dave-secret-44';
const DAVE_NEW = 'dave-secret-55';
const ERIN = 'erin-secret-66';

function configYaml(mqttPort: number, webPort: number): string {
  const data = dir.path;
  return [
    'log: { format: json }',
    'agent: { enabled: false }',
    `web: { host: 127.0.0.1, port: ${webPort}, allowAnonymous: false, sessionsPath: ${data}/web-sessions.json }`,
    `sinks: { history: { path: ${data}/history.db } }`,
    `alarms: { statePath: ${data}/alarms.json }`,
    `notifiers: { recordPath: ${data}/notifications.db }`,
    'broker:',
    `  listeners: [{ type: tcp, host: 127.0.0.1, port: ${mqttPort} }]`,
    `  journal: { path: ${data}/journal }`,
    '  passwordFile: passwords',
  ].join('\n');
}

async function login(base: string, username: string, password: string): Promise<string | undefined> {
  const response = await fetch(`${base}/login`, {
    method: 'POST',
    body: new URLSearchParams({ username, password }),
  });
  return response.status === 200 ? response.headers.get('set-cookie')!.split(';')[0] : undefined;
}

async function whoami(base: string, cookie: string): Promise<number> {
  return (await fetch(`${base}/api/whoami`, { headers: { cookie } })).status;
}

it('ends the web session of a removed user and logs a new user in after SIGHUP', async () => {
  const [mqttPort, webPort] = [await freePort(), await freePort()];
  const base = `http://127.0.0.1:${webPort}`;
  const configFile = `${dir.path}/busbar.yaml`;
  const passwords = `${dir.path}/passwords`;
  await writeFile(configFile, configYaml(mqttPort, webPort));
  expect((await runCli(['passwd', '-b', passwords, 'bob', BOB])).code).toBe(0);
  expect((await runCli(['passwd', '-b', passwords, 'dave', DAVE])).code).toBe(0);
  expect((await runCli(['passwd', '-b', passwords, 'erin', ERIN])).code).toBe(0);

  busbar = spawnCli(['start', '-c', configFile]);
  await waitForOutput(busbar.output, (text) => text.includes('busbar ready'));
  const bobSession = await login(base, 'bob', BOB);
  const daveSession = await login(base, 'dave', DAVE);
  const erinSession = await login(base, 'erin', ERIN);
  expect(bobSession).toBeDefined();
  expect(await whoami(base, bobSession!)).toBe(200);
  expect(await login(base, 'carol', CAROL)).toBeUndefined();

  expect((await runCli(['passwd', '-D', passwords, 'bob'])).code).toBe(0);
  expect((await runCli(['passwd', '-b', passwords, 'carol', CAROL])).code).toBe(0);
  expect((await runCli(['passwd', '-b', passwords, 'dave', DAVE_NEW])).code).toBe(0);
  busbar.child.kill('SIGHUP');
  await waitForOutput(busbar.output, (text) => text.includes('web logins follow the reloaded users'));

  expect(busbar.output()).toContain('"sessionsEnded":2');
  expect(await whoami(base, bobSession!)).toBe(401);
  expect(await login(base, 'bob', BOB)).toBeUndefined();
  const carolSession = await login(base, 'carol', CAROL);
  expect(carolSession).toBeDefined();
  expect(await whoami(base, carolSession!)).toBe(200);
  expect(await whoami(base, daveSession!)).toBe(401);
  expect(await login(base, 'dave', DAVE)).toBeUndefined();
  expect(await login(base, 'dave', DAVE_NEW)).toBeDefined();
  expect(await whoami(base, erinSession!)).toBe(200);
});
