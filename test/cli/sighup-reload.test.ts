/**
 * SIGHUP makes `busbar start` read its config and password file again, like Mosquitto: a removed
 * user's client is disconnected (MQTT 5 DISCONNECT 0x98), a client whose rules changed keeps its
 * connection under the new ones, new users log in, other changes wait for a restart, and a broken
 * config leaves the running one in place.
 */
import type { IClientOptions, MqttClient } from 'mqtt';
import { writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { hashPassword } from '../../broker/passwords.js';
import { runCli, spawnCli, waitForOutput } from '../helpers/cli.js';
import { Clients, publishMarker, record, subscribe, subscribeAll } from '../helpers/mqtt-clients.js';
import { freePort } from '../helpers/ports.js';
import { tempDir } from '../helpers/process.js';

const clients = new Clients();
let dir: Awaited<ReturnType<typeof tempDir>>;
let busbar: ReturnType<typeof spawnCli> | undefined;

beforeEach(async () => {
  dir = await tempDir('sighup');
});
afterEach(async () => {
  await clients.closeAll();
  busbar?.child.kill('SIGTERM');
  await busbar?.exited;
  busbar = undefined;
  await dir.remove();
});

const ALICE = 'alice-secret-1';
const BOB = 'bob-secret-22';
const CAROL = 'carol-secret-3';

/** A config whose files all live in the test's folder; `rules` and `extra` are YAML lines under broker. */
function configYaml(port: number, aliceHash: string, rules: string[], extra = ''): string {
  const data = dir.path;
  return [
    'log: { format: json }',
    'agent: { enabled: false }',
    `web: { enabled: false, sessionsPath: ${data}/web-sessions.json }`,
    `sinks: { history: { path: ${data}/history.db } }`,
    `alarms: { statePath: ${data}/alarms.json }`,
    `notifiers: { recordPath: ${data}/notifications.db }`,
    'broker:',
    `  listeners: [{ type: tcp, host: 127.0.0.1, port: ${port} }]`,
    `  journal: { path: ${data}/journal }`,
    '  passwordFile: passwords',
    `  users: [{ username: alice, password: "${aliceHash}" }]`,
    '  acl:',
    ...rules.map((rule) => `    - ${rule}`),
    extra,
  ].join('\n');
}

const count = (text: string, message: string): number => text.split(`"msg":"${message}"`).length - 1;

it('swaps users and ACL on SIGHUP without dropping the clients that keep their login', async () => {
  const port = await freePort();
  const url = `mqtt://127.0.0.1:${port}`;
  const configFile = `${dir.path}/busbar.yaml`;
  const passwords = `${dir.path}/passwords`;
  const aliceHash = await hashPassword(ALICE);
  const shared = ['{ user: "*", topic: "shared/#" }'];
  const aliceSite = '{ user: alice, topic: "site/#" }';
  await writeFile(configFile, configYaml(port, aliceHash, [aliceSite, ...shared]));
  expect((await runCli(['passwd', '-b', passwords, 'bob', BOB])).code).toBe(0);

  busbar = spawnCli(['start', '-c', configFile]);
  await waitForOutput(busbar.output, (text) => text.includes('busbar ready'));
  const v5 = (username: string, password: string): IClientOptions => ({
    username,
    password,
    protocolVersion: 5,
  });
  const alice = await clients.connect(url, { ...v5('alice', ALICE), clientId: 'alice-1' });
  const bob = await clients.connect(url, { ...v5('bob', BOB), clientId: 'bob-1' });
  expect(await subscribeAll(alice, { 'site/#': { qos: 0 }, 'shared/#': { qos: 0 } })).toEqual([0, 0]);
  const aliceGot = record(alice);
  let bobReason: number | undefined;
  bob.on('disconnect', (packet) => (bobReason = packet.reasonCode));
  const bobClosed = new Promise<void>((resolve) => bob.once('close', () => resolve()));

  // Alice loses site/# and keeps only shared/open/# of shared/#; carol may publish on site/#; bob
  // leaves the password file and carol joins it; maxTopicLevels changes too, which needs a restart.
  const rules = [
    '{ user: carol, topic: "site/#", access: publish }',
    '{ user: "*", topic: "shared/#", access: publish }',
    '{ user: "*", topic: "shared/open/#", access: subscribe }',
  ];
  await writeFile(configFile, configYaml(port, aliceHash, rules, '  maxTopicLevels: 20'));
  expect((await runCli(['passwd', '-D', passwords, 'bob'])).code).toBe(0);
  expect((await runCli(['passwd', '-b', passwords, 'carol', CAROL])).code).toBe(0);
  busbar.child.kill('SIGHUP');
  await waitForOutput(busbar.output, (text) => count(text, 'broker users and ACL reloaded') === 1);

  await bobClosed;
  expect(bobReason).toBe(0x98);
  expect(busbar.output()).toContain('"reason":"user removed"');
  expect(busbar.output()).toMatch(/"changed":\["broker.maxTopicLevels"\].*needs? a restart/);
  expect(alice.connected).toBe(true);
  // Refused now, and the subscription she held was removed: carol's site message never reaches her.
  expect(await subscribe(alice, 'site/#')).toBe(0x87);
  await expect(alice.publishAsync('site/a', 'x', { qos: 1 })).rejects.toThrow();
  const carol = await clients.connect(url, { ...v5('carol', CAROL), clientId: 'carol-1' });
  await carol.publishAsync('site/a', 'from carol', { qos: 1 });
  // Her shared/# is now allowed in part: each message is checked by its topic.
  await carol.publishAsync('shared/closed/x', 'not for alice', { qos: 1 });
  await carol.publishAsync('shared/open/x', 'for alice', { qos: 1 });
  await publishMarker(carol, aliceGot, 'shared/open/marker');
  expect(aliceGot.map((message) => message.topic)).toEqual(['shared/open/x', 'shared/open/marker']);
  expect(await clients.refusal(url, { ...v5('bob', BOB), reconnectPeriod: 0 })).toBe(0x86);

  // A broken config is refused with its reason; the running users and rules stay.
  await writeFile(configFile, configYaml(port, aliceHash, ['{ user: alice, topic: "site/#/x" }']));
  busbar.child.kill('SIGHUP');
  await waitForOutput(busbar.output, (text) => text.includes('config not reloaded'));
  expect(busbar.output()).toContain('broker.acl[0].topic');
  const carolAgain = await clients.connect(url, { ...v5('carol', CAROL), clientId: 'carol-2' });
  await carolAgain.publishAsync('site/b', 'still allowed', { qos: 1 });
  expect(alice.connected).toBe(true);
  expect(count(busbar.output(), 'broker users and ACL reloaded')).toBe(1);
  expect(busbar.output()).not.toContain(CAROL);
  expect(busbar.output()).not.toContain(BOB);
  await Promise.all([alice, carol, carolAgain].map((client: MqttClient) => client.endAsync()));
});
