/**
 * snmpsim (snmpsimd) on 127.0.0.1 and a free UDP port, serving .snmprec data files. The community
 * of a file is its basename (`pdu.snmprec` → `pdu`). `write` replaces a file between polls:
 * snmpsim re-indexes a data file when its mtime (in whole seconds) changes, so each write moves the
 * mtime forward by a second explicitly.
 */
import { readFileSync } from 'node:fs';
import { chmod, copyFile, mkdir, rename, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { freePort } from './ports.js';
import { requireBinary, startProcess, tempDir } from './process.js';
import { waitForSnmp } from './snmpd.js';

export interface SnmprecRecord {
  readonly oid: string;
  /** snmprec type tag: 2 Integer, 4 OctetString, 65 Counter32, 66 Gauge32, 67 TimeTicks, 70 Counter64. */
  readonly type: number;
  readonly value: string | number | bigint;
}

export interface SnmpsimOptions {
  /**
   * One SNMPv3 user (SHA authentication, AES privacy). snmpsim picks a v3 request's data file by
   * its context name: the file's basename, as the community does for v1 and v2c.
   */
  readonly v3?: { readonly user: string; readonly authKey: string; readonly privKey: string };
}

/** The SNMPv3 user the tests' snmpsim accepts (`startSnmpsim(data, { v3: SIM_V3 })`). */
export const SIM_V3 = { user: 'busbar-ro', authKey: 'auth-pass-1234', privKey: 'priv-pass-5678' } as const;

/**
 * How a device reaches the data file `file` over `version`: its community, or SIM_V3 with the file
 * as context (authPriv, SHA and AES).
 */
export function simAccess(version: '1' | '2c' | '3', file: string) {
  return version === '3' ? { version, v3: { ...SIM_V3, context: file } } : { version, community: file };
}

export interface SnmpsimServer {
  readonly port: number;
  /** Replaces (or creates) the data file of `community`. */
  write(community: string, records: readonly SnmprecRecord[]): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts snmpsimd serving `data`: community → path of a .snmprec fixture, or records. snmpsimd
 * finds its data files when it starts: every community must be given here (and may be rewritten later).
 */
export async function startSnmpsim(
  data: Record<string, string | readonly SnmprecRecord[]>,
  options: SnmpsimOptions = {},
): Promise<SnmpsimServer> {
  const binary = requireBinary('/usr/bin/snmpsimd', 'snmpsim');
  const dir = await tempDir('snmpsim');
  const dataDir = path.join(dir.path, 'data');
  const cache = path.join(dir.path, 'cache');
  await mkdir(dataDir);
  await mkdir(cache);
  // snmpsimd drops to nobody: it must read the data and write its index cache.
  await chmod(dir.path, 0o755);
  await chmod(dataDir, 0o755);
  await chmod(cache, 0o777);
  let mtime = Math.floor(Date.now() / 1000);
  const write = async (community: string, records: readonly SnmprecRecord[]): Promise<void> => {
    // Written beside and renamed into place: snmpsim must never index a half-written file (one way to
    // get what a loaded machine showed: a poll with the new power and the old current).
    const file = path.join(dataDir, `${community}.snmprec`);
    const partial = path.join(dataDir, `.${community}.snmprec.partial`);
    await writeFile(partial, snmprecText(records));
    await chmod(partial, 0o644);
    mtime += 1;
    await utimes(partial, mtime, mtime);
    await rename(partial, file);
  };
  for (const [community, source] of Object.entries(data)) {
    if (typeof source === 'string') {
      await copyFile(source, path.join(dataDir, `${community}.snmprec`));
      await chmod(path.join(dataDir, `${community}.snmprec`), 0o644);
    } else {
      await write(community, source);
    }
  }
  // A community of its own answers the readiness probe, whatever the tests' files hold.
  const probe = 'busbar-probe';
  await write(probe, [{ oid: '1.3.6.1.2.1.1.3.0', type: 67, value: 1 }]);
  const port = await freePort();
  const proc = startProcess(binary, [
    `--data-dir=${dataDir}`,
    `--cache-dir=${cache}`,
    `--agent-udpv4-endpoint=127.0.0.1:${port}`,
    '--process-user=nobody',
    '--process-group=nogroup',
    ...(options.v3
      ? [
          `--v3-user=${options.v3.user}`,
          `--v3-auth-key=${options.v3.authKey}`,
          '--v3-auth-proto=SHA',
          `--v3-priv-key=${options.v3.privKey}`,
          '--v3-priv-proto=AES',
        ]
      : []),
  ]);
  const stop = async (): Promise<void> => {
    await proc.stop();
    await dir.remove();
  };
  try {
    await waitForSnmp(port, probe, 20_000);
  } catch (error) {
    await stop();
    throw new Error(`snmpsimd did not start: ${proc.output()}`, { cause: error });
  }
  return { port, write, stop };
}

/** The records of a .snmprec file. */
export function readSnmprec(file: string): SnmprecRecord[] {
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((line) => {
      const [oid, type, ...value] = line.split('|');
      return { oid: oid!, type: Number(type), value: value.join('|') };
    });
}

/** snmprec lines, sorted by OID as numbers (snmpsim walks the file in its order). */
export function snmprecText(records: readonly SnmprecRecord[]): string {
  const sorted = [...records].sort((a, b) => compareOids(a.oid, b.oid));
  return sorted.map((record) => `${record.oid}|${record.type}|${record.value}`).join('\n') + '\n';
}

/** Numeric OID order, as agents walk. */
export function compareOids(a: string, b: string): number {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}
