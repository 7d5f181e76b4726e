/**
 * A real Debian snmpd on 127.0.0.1 and a free UDP port, with communities `public` and
 * SNMPD_SECRET_COMMUNITY and three v3 users
 * (authPriv SHA/AES, authPriv MD5/DES, authNoPriv SHA); and a UDP port that never answers.
 */
import dgram from 'node:dgram';
import { writeFile } from 'node:fs/promises';
import * as snmp from 'net-snmp';
import { freePort } from './ports.js';
import { requireBinary, startProcess, tempDir } from './process.js';

/** Test-only credentials; the bridge tests also check that none of them reaches a log line. */
export const SNMPD_SECRET_COMMUNITY = 'busbar-secret-community';

export const SNMPD_USERS = {
  shaAes: { user: 'busbar-sha', authKey: 'auth-sha-secret', privKey: 'priv-aes-secret' },
  md5Des: { user: 'busbar-md5', authKey: 'auth-md5-secret', privKey: 'priv-des-secret' },
  authOnly: { user: 'busbar-auth', authKey: 'auth-only-secret' },
} as const;

export interface SnmpdServer {
  readonly port: number;
  stop(): Promise<void>;
}

/** `port`: listen there (to restart an agent where a device expects it); default a free port. */
export async function startSnmpd(options: { port?: number } = {}): Promise<SnmpdServer> {
  const binary = requireBinary('/usr/sbin/snmpd', 'snmpd');
  const dir = await tempDir('snmpd');
  const port = options.port ?? (await freePort());
  const { shaAes, md5Des, authOnly } = SNMPD_USERS;
  const conf = [
    // v3 users are stored (localized) in the persistent dir; keep it out of /var/lib/snmp.
    `[snmp] persistentDir ${dir.path}/persist`,
    `agentAddress udp:127.0.0.1:${port}`,
    'rocommunity public 127.0.0.1',
    `rocommunity ${SNMPD_SECRET_COMMUNITY} 127.0.0.1`,
    `createUser ${shaAes.user} SHA "${shaAes.authKey}" AES "${shaAes.privKey}"`,
    `createUser ${md5Des.user} MD5 "${md5Des.authKey}" DES "${md5Des.privKey}"`,
    `createUser ${authOnly.user} SHA "${authOnly.authKey}"`,
    `rouser ${shaAes.user} priv`,
    `rouser ${md5Des.user} priv`,
    `rouser ${authOnly.user} auth`,
    '',
  ].join('\n');
  await writeFile(`${dir.path}/snmpd.conf`, conf);
  const proc = startProcess(
    binary,
    ['-f', '-Lo', '-C', '-c', `${dir.path}/snmpd.conf`, '-p', `${dir.path}/pid`],
    {
      cwd: dir.path,
    },
  );
  const stop = async (): Promise<void> => {
    await proc.stop();
    await dir.remove();
  };
  try {
    await waitForSnmp(port, 'public');
  } catch (error) {
    await stop();
    throw new Error(`snmpd did not start: ${proc.output()}`, { cause: error });
  }
  return { port, stop };
}

/** Resolves once an agent on 127.0.0.1:`port` answers a v2c GET of sysUpTime. */
export async function waitForSnmp(port: number, community: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const session = snmp.createSession('127.0.0.1', community, { port, timeout: 300, retries: 0 });
    const ok = await new Promise<boolean>((resolve) =>
      session.get(['1.3.6.1.2.1.1.3.0'], (error) => resolve(!error)),
    );
    session.close();
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`no SNMP agent answers on 127.0.0.1:${port}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A UDP socket on 127.0.0.1 that reads every request and answers none: a dead device. */
export async function startSilentUdp(): Promise<{ port: number; received(): number; stop(): Promise<void> }> {
  const socket = dgram.createSocket('udp4');
  let count = 0;
  socket.on('message', () => count++);
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    port: socket.address().port,
    received: () => count,
    stop: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
