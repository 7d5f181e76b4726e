/**
 * SNMPv3 authPriv with MD5/DES against snmpd. Node.js (OpenSSL 3) has DES only with the legacy
 * provider, which cannot be loaded after start: so this runs `busbar start` as users would, with
 * NODE_OPTIONS=--openssl-legacy-provider (bridges/snmp/README.md), and reads its broker.
 */
import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { spawnCli, waitForOutput } from '../../helpers/cli.js';
import { Clients, record, subscribe, waitFor } from '../../helpers/mqtt-clients.js';
import { freePort } from '../../helpers/ports.js';
import { tempDir } from '../../helpers/process.js';
import { SNMPD_USERS, startSnmpd, type SnmpdServer } from '../../helpers/snmpd.js';

let snmpd: SnmpdServer;
beforeAll(async () => {
  snmpd = await startSnmpd();
});
afterAll(async () => {
  await snmpd?.stop();
});

it('polls a v3 authPriv MD5/DES device when busbar runs with the OpenSSL legacy provider', async () => {
  const dir = await tempDir('snmp-des');
  const clients = new Clients();
  const mqttPort = await freePort();
  const { md5Des } = SNMPD_USERS;
  const config = [
    'broker:',
    `  listeners: [{ type: tcp, host: 127.0.0.1, port: ${mqttPort} }]`,
    'agent: { enabled: false }',
    'web: { enabled: false }',
    `sinks: { history: { enabled: false } }`,
    'bridges:',
    '  snmp:',
    '    devices:',
    `      - { name: md5-des, host: 127.0.0.1, port: ${snmpd.port}, interval: 200ms, version: "3", profiles: [system],`,
    `          v3: { user: ${md5Des.user}, authProtocol: md5, authKey: ${md5Des.authKey}, privProtocol: des, privKey: ${md5Des.privKey} } }`,
    '',
  ].join('\n');
  await writeFile(`${dir.path}/busbar.yaml`, config);
  const busbar = spawnCli(['start', '-c', `${dir.path}/busbar.yaml`], {
    NODE_OPTIONS: '--openssl-legacy-provider',
    BUSBAR_CONFIG: '',
  });
  try {
    await waitForOutput(busbar.output, (text) => text.includes('SNMP bridge polling'));
    const client = await clients.connect(`mqtt://127.0.0.1:${mqttPort}`);
    const messages = record(client);
    await subscribe(client, 'busbar/#');
    await waitFor(
      () => messages.some((m) => m.topic === 'busbar/metrics/md5-des/system'),
      'DES-encrypted reading',
    );
    // The poller publishes a poll's metrics before the device's status, so wait for both.
    await waitFor(
      () => messages.some((m) => m.topic === 'busbar/status/md5-des'),
      'status after the first poll',
    );
    expect(messages.find((m) => m.topic === 'busbar/status/md5-des')?.payload).toBe('online');
    expect(busbar.output()).not.toContain(md5Des.privKey);
  } finally {
    await clients.closeAll();
    busbar.child.kill('SIGTERM');
    await busbar.exited;
    await dir.remove();
  }
});
