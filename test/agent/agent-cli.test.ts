/**
 * `busbar agent`, the standalone agent, as users run it (the built CLI) against a real Mosquitto:
 * plain and over TLS with a username and a password file; `offline` on SIGTERM, and the broker's
 * last will when the agent dies.
 */
import { execFile, type ChildProcess } from 'node:child_process';
import { chmod, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import mqtt from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseLineProtocol } from '../../core/codecs/line-protocol.js';
import { PROCESS_WAIT_MS, runCli, spawnCli, waitForOutput } from '../helpers/cli.js';
import { startMosquitto, type MosquittoServer } from '../helpers/mosquitto.js';
import {
  Clients,
  record,
  subscribe,
  waitFor,
  within,
  type ReceivedMessage,
} from '../helpers/mqtt-clients.js';
import { freePort } from '../helpers/ports.js';
import { requireBinary, tempDir } from '../helpers/process.js';
import { createTestCertificates, type TestCertificates } from '../helpers/tls.js';
import { HOST_MEASUREMENTS, expectPlausible } from './plausibility.js';

const run = promisify(execFile);
/** Agents started by a test; one left running by a failed test is killed afterwards. */
const agents: ChildProcess[] = [];

function startAgent(args: string[]): ReturnType<typeof spawnCli> {
  const agent = spawnCli(['agent', ...args]);
  agents.push(agent.child);
  return agent;
}
const SECRET = 'agent-s3cret-pw';
const clients = new Clients();
let plain: MosquittoServer;
let secured: MosquittoServer;
let tlsUrl: string;
let certs: TestCertificates;
let secrets: { path: string; remove(): Promise<void> };
let passwordFile: string;

beforeAll(async () => {
  plain = await startMosquitto();
  certs = await createTestCertificates();
  secrets = await tempDir('agent-secrets');
  passwordFile = path.join(secrets.path, 'agent.password');
  await writeFile(passwordFile, `${SECRET}\n`);
  const mosquittoUsers = path.join(secrets.path, 'mosquitto.passwd');
  await run(requireBinary('/usr/bin/mosquitto_passwd', 'mosquitto'), [
    '-c',
    '-b',
    mosquittoUsers,
    'agent',
    SECRET,
  ]);
  // Mosquitto drops root for its own user, which must read its password file and certificates.
  for (const dir of [secrets.path, certs.dir]) {
    await chmod(dir, 0o755);
    for (const name of await readdir(dir)) await chmod(path.join(dir, name), 0o644);
  }
  const tlsPort = await freePort();
  secured = await startMosquitto({
    extraConfig: [
      'allow_anonymous false',
      `password_file ${mosquittoUsers}`,
      `listener ${tlsPort} 127.0.0.1`,
      `cafile ${certs.caCert}`,
      `certfile ${certs.serverCert}`,
      `keyfile ${certs.serverKey}`,
    ].join('\n'),
  });
  tlsUrl = `mqtts://127.0.0.1:${tlsPort}`;
});

afterEach(() => {
  for (const child of agents.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
});

afterAll(async () => {
  await clients.closeAll();
  await plain?.stop();
  await secured?.stop();
  await certs?.remove();
  await secrets?.remove();
});

function metrics(messages: ReceivedMessage[], topic: string) {
  return messages
    .filter((message) => message.topic === topic)
    .flatMap((message) => {
      const parsed = parseLineProtocol(message.payload);
      expect(parsed.errors).toEqual([]);
      return parsed.metrics;
    });
}

async function retainedStatus(
  url: string,
  source: string,
  options: mqtt.IClientOptions = {},
): Promise<string> {
  const client = await clients.connect(url, options);
  const messages = record(client);
  await subscribe(client, `busbar/status/${source}`, 1);
  await waitFor(() => messages.length > 0, `the retained status of ${source}`, PROCESS_WAIT_MS);
  return messages[0]!.payload;
}

describe('busbar agent (standalone)', () => {
  it('publishes the host to a plain Mosquitto and states offline on SIGTERM', async () => {
    const source = 'cli-plain';
    const watcher = await clients.connect(plain.url);
    const seen = record(watcher);
    await subscribe(watcher, 'busbar/#', 1);
    const agent = startAgent(['--broker', plain.url, '--name', source, '--interval', '200ms']);
    const twice = (m: string): boolean =>
      seen.filter((s) => s.topic === `busbar/metrics/${source}/${m}`).length >= 2;
    await waitFor(() => HOST_MEASUREMENTS.every(twice), 'every measurement twice', PROCESS_WAIT_MS);
    for (const measurement of HOST_MEASUREMENTS) {
      expectPlausible(measurement, metrics(seen, `busbar/metrics/${source}/${measurement}`), source);
    }
    expect(seen.find((m) => m.topic === `busbar/status/${source}`)?.payload).toBe('online');
    expect(JSON.parse(seen.find((m) => m.topic === `busbar/inventory/${source}`)!.payload)).toMatchObject({
      source,
      os: { platform: 'linux' },
    });

    agent.child.kill('SIGTERM');
    expect(await agent.exited).toBe(0);
    expect(agent.output()).toContain('busbar agent stopped');
    expect(await retainedStatus(plain.url, source)).toBe('offline');
  });

  it('leaves a last will: offline when the agent dies without a word', async () => {
    const source = 'cli-killed';
    const agent = startAgent(['--broker', plain.url, '--name', source, '--interval', '1s']);
    await waitForOutput(agent.output, (text) => text.includes('connected to the broker'));
    expect(await retainedStatus(plain.url, source)).toBe('online');
    agent.child.kill('SIGKILL');
    await agent.exited;
    const watcher = await clients.connect(plain.url);
    const statuses = record(watcher);
    await subscribe(watcher, `busbar/status/${source}`, 1);
    await waitFor(() => statuses.some((message) => message.payload === 'offline'), 'the last will');
  });

  /** The agent's options for the TLS listener as user `agent`, its password read from `file`. */
  const overTls = (file: string): string[] => [
    '--broker',
    tlsUrl,
    '--ca',
    certs.caCert,
    '--username',
    'agent',
    '--password-file',
    file,
  ];

  it('connects over TLS with a username and a password file, and never logs the password', async () => {
    const source = 'cli-tls';
    const credentials = { username: 'agent', password: SECRET, ca: await readFile(certs.caCert) };
    const watcher = await clients.connect(tlsUrl, credentials);
    const seen = record(watcher);
    await subscribe(watcher, `busbar/metrics/${source}/cpu`, 1);
    const agent = startAgent([...overTls(passwordFile), '--name', source, '--interval', '200ms']);
    await waitFor(
      () => metrics(seen, `busbar/metrics/${source}/cpu`).length >= 1,
      'cpu over TLS',
      PROCESS_WAIT_MS,
    );
    agent.child.kill('SIGTERM');
    expect(await agent.exited).toBe(0);
    expect(agent.output()).not.toContain(SECRET);
    expect(await retainedStatus(tlsUrl, source, credentials)).toBe('offline');
  });

  it('stops at once, exit code 1, when the broker refuses the credentials', async () => {
    const wrong = path.join(secrets.path, 'wrong.password');
    await writeFile(wrong, 'not-the-password\n');
    // At once: an agent that kept retrying would never exit, and outlast `within`'s 30 s.
    const result = await within(
      runCli(['agent', ...overTls(wrong), '--interval', '1s']),
      PROCESS_WAIT_MS,
      'the agent refused by the broker',
    );
    expect(result.code).toBe(1);
    expect(result.stdout + result.stderr).toMatch(/refused/);
    expect(result.stdout + result.stderr).not.toContain('not-the-password');
  });

  it('refuses bad flags and an unreadable password file with a clear reason', async () => {
    const interval = await runCli(['agent', '--broker', plain.url, '--interval', 'often']);
    expect(interval.code).toBe(1);
    expect(interval.stderr).toMatch(/--interval.*duration/);
    const missing = await runCli(['agent', '--password-file', '/nonexistent/pw']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('cannot read the password file /nonexistent/pw (ENOENT)');
    const url = await runCli(['agent', '--broker', 'http://example.com']);
    expect(url.code).toBe(1);
    expect(url.stderr).toMatch(/not an mqtt:\/\//);
  });

  it('reads only its sections of a config file shared with busbar start, and names a bad one', async () => {
    const dir = await tempDir('agent-config');
    try {
      const shared = path.join(dir.path, 'busbar.yaml');
      // `web.port` is wrong, but it is busbar start's to refuse: the agent reads agent, bus.remote,
      // baseTopic and log.
      await writeFile(
        shared,
        [
          'baseTopic: site1',
          'log: { format: json }',
          `bus: { remote: { url: '${plain.url}' } }`,
          'agent: { name: cli-shared, interval: 300ms }',
          'web: { port: not-a-port }',
          'alarms: { rules: [{ kind: nonsense }] }',
          '',
        ].join('\n'),
      );
      const watcher = await clients.connect(plain.url);
      const seen = record(watcher);
      await subscribe(watcher, 'site1/status/cli-shared', 1);
      const agent = startAgent(['-c', shared]);
      await waitFor(
        () => seen.some((m) => m.payload === 'online'),
        'the agent online under site1/',
        PROCESS_WAIT_MS,
      );
      agent.child.kill('SIGTERM');
      expect(await agent.exited).toBe(0);

      const broken = path.join(dir.path, 'broken.yaml');
      await writeFile(broken, 'agent: { interval: often, colour: blue }\nbus: { remote: { port: 1 } }\n');
      const refused = await runCli(['agent', '-c', broken]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(`${broken}: 3 problem(s)`);
      expect(refused.stderr).toMatch(/agent\.interval: .*duration/);
      expect(refused.stderr).toContain('agent.colour: unknown key');
      expect(refused.stderr).toContain('bus.remote.port: unknown key');

      const list = path.join(dir.path, 'list.yaml');
      await writeFile(list, '- agent\n');
      const notMapping = await runCli(['agent', '-c', list]);
      expect(notMapping.code).toBe(1);
      expect(notMapping.stderr).toContain('expected a mapping of sections');
    } finally {
      await dir.remove();
    }
  });
});
