/**
 * One device's SNMP session (net-snmp), with GET and column walks as promises. v1, v2c and v3
 * (noAuthNoPriv, authNoPriv, authPriv with SHA/MD5 and AES/DES). The community and the v3 keys
 * go to net-snmp and nowhere else: errors raised here never quote them.
 */
import { createCipheriv } from 'node:crypto';
import * as snmp from 'net-snmp';
import type { SnmpDeviceConfig } from './config.js';
import type { SnmpUsmUser } from './usm-config.js';
import { failedStatus, walkColumnsInStep, type GetNext } from './column-walk.js';
import { V1KnownRows } from './v1-known-rows.js';
import type { Varbind } from './values.js';

export interface SnmpClient {
  /** Values of `oids` in order; an OID the agent does not have comes back with `error` set. */
  get(oids: readonly string[]): Promise<FetchedValue[]>;
  /** Every instance under a column OID, in agent order. */
  walk(columnOid: string): Promise<Varbind[]>;
  /**
   * Every instance under each of `columnOids`, the columns walked in step (column-walk.ts): over v2c
   * and v3 several per GETBULK; over v1 several per GETNEXT, asked up front from the rows the
   * previous walk found (v1-known-rows.ts). At most `inFlight` requests at once.
   */
  walkColumns(columnOids: readonly string[], inFlight: number): Promise<Map<string, Varbind[]>>;
  close(): void;
}

export type FetchedValue =
  { oid: string; varbind: Varbind; error?: undefined } | { oid: string; error: string };

const AUTH = { sha: snmp.AuthProtocols.sha, md5: snmp.AuthProtocols.md5 } as const;
const PRIV = { aes: snmp.PrivProtocols.aes, des: snmp.PrivProtocols.des } as const;
const LEVEL = {
  noAuthNoPriv: snmp.SecurityLevel.noAuthNoPriv,
  authNoPriv: snmp.SecurityLevel.authNoPriv,
  authPriv: snmp.SecurityLevel.authPriv,
} as const;

/** Options for one poll: an offline device is probed without retries so it holds its slot briefly. */
export interface SessionOptions {
  readonly retries: number;
}

let desSupported: boolean | undefined;

/**
 * OpenSSL 3 moved DES to its legacy provider, which Node.js loads only when started with
 * `--openssl-legacy-provider`; without it net-snmp fails every DES request with an opaque
 * "digital envelope routines::unsupported".
 */
export function desAvailable(): boolean {
  if (desSupported === undefined) {
    try {
      createCipheriv('des-cbc', Buffer.alloc(8), Buffer.alloc(8));
      desSupported = true;
    } catch {
      // The cipher is missing: the answer is the result, not an error to report.
      desSupported = false;
    }
  }
  return desSupported;
}

export const DES_UNAVAILABLE =
  "DES privacy needs OpenSSL's legacy provider, which this Node.js has not loaded: start busbar with " +
  'NODE_OPTIONS=--openssl-legacy-provider, or configure the device for AES';

export function openSession(device: SnmpDeviceConfig, options: SessionOptions): SnmpClient {
  if (device.v3?.level === 'authPriv' && device.v3.privProtocol === 'des' && !desAvailable()) {
    throw new Error(DES_UNAVAILABLE);
  }
  const common = {
    port: device.port,
    timeout: device.timeout,
    retries: options.retries,
    // Each retry waits as long as the first try: a doubling backoff would stretch a dead device's
    // poll far past `timeout * (retries + 1)`, which is what the README promises.
    backoff: 1,
  };
  let session: snmp.Session;
  if (device.version === '3') {
    const v3 = device.v3!;
    session = snmp.createV3Session(device.host, usmUser(v3), {
      ...common,
      version: snmp.Version3,
      context: v3.context,
    });
  } else {
    const version = device.version === '1' ? snmp.Version1 : snmp.Version2c;
    session = snmp.createSession(device.host, device.community, { ...common, version });
  }
  // A socket error (an unresolvable host) would otherwise be an unhandled 'error' event; the
  // request that hit it fails on its own and is reported by the poll.
  session.on('error', () => undefined);

  const getChunk = (oids: readonly string[]): Promise<FetchedValue[]> =>
    new Promise((resolve, reject) => {
      session.get([...oids], (error, varbinds) => {
        if (error) return reject(error);
        resolve(
          oids.map((oid, index): FetchedValue => {
            const varbind = varbinds?.[index];
            if (!varbind) return { oid, error: 'no value in the response' };
            if (snmp.isVarbindError(varbind)) return { oid, error: snmp.varbindError(varbind) };
            return { oid, varbind };
          }),
        );
      });
    });

  /**
   * SNMPv1 fails a whole GET when one OID is missing (noSuchName, with its index): drop that OID,
   * mark it, and ask again for the rest, as v2c would have answered.
   */
  const getNext: GetNext = (oids) =>
    new Promise((resolve, reject) => {
      session.getNext([...oids], (error, varbinds) => (error ? reject(error) : resolve(varbinds ?? [])));
    });

  /** One GETBULK, every OID a repeater: net-snmp gives the successors of each OID as its own list. */
  const getBulk = (oids: readonly string[]): Promise<(Varbind[] | undefined)[]> =>
    new Promise((resolve, reject) => {
      session.getBulk([...oids], 0, device.maxRepetitions, (error, varbinds) =>
        error ? reject(error) : resolve((varbinds ?? []) as unknown as (Varbind[] | undefined)[]),
      );
    });

  const knownRows = new V1KnownRows();

  async function getV1Aware(oids: readonly string[]): Promise<FetchedValue[]> {
    try {
      return await getChunk(oids);
    } catch (error) {
      const missing = missingOid(error, oids);
      if (missing === undefined) throw error;
      const rest = oids.filter((oid) => oid !== missing);
      const values = rest.length > 0 ? await getV1Aware(rest) : [];
      return oids.map(
        (oid) =>
          values.find((value) => value.oid === oid) ?? {
            oid,
            error: 'NoSuchName (no such OID on the device)',
          },
      );
    }
  }

  return {
    async get(oids) {
      const out: FetchedValue[] = [];
      for (let i = 0; i < oids.length; i += device.maxVarbinds)
        out.push(...(await getV1Aware(oids.slice(i, i + device.maxVarbinds))));
      return out;
    },
    walk,
    async walkColumns(columnOids, inFlight) {
      if (device.version === '1') return knownRows.walk(getNext, columnOids, device.maxVarbinds, inFlight);
      return walkColumnsInStep(getBulk, columnOids, device.maxVarbinds, inFlight);
    },
    close() {
      session.close();
    },
  };

  function walk(columnOid: string): Promise<Varbind[]> {
    return new Promise((resolve, reject) => {
      const rows: Varbind[] = [];
      session.subtree(
        columnOid,
        device.maxRepetitions,
        (varbinds: Varbind[]) => {
          for (const varbind of varbinds) if (!snmp.isVarbindError(varbind)) rows.push(varbind);
        },
        (error) => (error ? reject(error) : resolve(rows)),
      );
    });
  }
}

/** net-snmp's user for a configured USM user (a device's `v3`, a trap receiver's `users`). */
export function usmUser(v3: SnmpUsmUser): snmp.User {
  const user: snmp.User = { name: v3.user, level: LEVEL[v3.level] };
  if (v3.level !== 'noAuthNoPriv') {
    user.authProtocol = AUTH[v3.authProtocol];
    user.authKey = v3.authKey;
  }
  if (v3.level === 'authPriv') {
    user.privProtocol = PRIV[v3.privProtocol];
    user.privKey = v3.privKey;
  }
  return user;
}

/** The OID a v1 `noSuchName` error names, when it is one of ours. */
function missingOid(error: unknown, oids: readonly string[]): string | undefined {
  if (failedStatus(error) !== snmp.ErrorStatus.NoSuchName) return undefined;
  const named = (error as Error).message.split(': ')[1];
  return named !== undefined && oids.includes(named) ? named : undefined;
}

/** True for errors that mean the device did not answer at all (as opposed to refusing an OID). */
export function isUnreachable(error: unknown): boolean {
  return error instanceof Error && (error.name === 'RequestTimedOutError' || 'code' in error);
}
