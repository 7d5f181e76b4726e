/**
 * A small SNMPv1 agent as a GETNEXT function, for what snmpsim does not do: refuse a request with
 * more than `maxVarbinds` OIDs (tooBig), change its tables between polls. It fails a whole request
 * with noSuchName, naming the OID, when nothing follows that OID (RFC 1157 §4.1.3). Each instance's
 * value is set with it, so a walk shows which answers it read.
 */
import * as snmp from 'net-snmp';
import type { Varbind } from '../../../bridges/snmp/values.js';
import { compareOids } from '../../helpers/snmpsim.js';

export interface V1Agent {
  getNext(asked: readonly string[]): Promise<Varbind[]>;
  /** OIDs per request received, in order. */
  readonly sizes: number[];
  /** Most requests in flight at once. */
  mostInFlight(): number;
  /** Replaces every instance: OID → value. */
  set(instances: ReadonlyMap<string, number>): void;
}

/** Each of `oids` valued by its last sub-identifier. */
export function byLastId(oids: Iterable<string>): Map<string, number> {
  return new Map([...oids].map((oid) => [oid, Number(oid.split('.').at(-1))]));
}

export function v1Agent(instances: ReadonlyMap<string, number>, maxVarbinds: number): V1Agent {
  let sorted: [string, number][] = [];
  const set = (instances: ReadonlyMap<string, number>): void => {
    sorted = [...instances].sort(([a], [b]) => compareOids(a, b));
  };
  set(instances);
  const sizes: number[] = [];
  let inFlight = 0;
  let most = 0;
  const fail = (message: string, status: number) =>
    Object.assign(new Error(message), { name: 'RequestFailedError', status });
  const getNext = async (asked: readonly string[]): Promise<Varbind[]> => {
    sizes.push(asked.length);
    most = Math.max(most, ++inFlight);
    // A turn of the event loop, as a round trip: requests sent together are in flight together.
    await new Promise((resolve) => setImmediate(resolve));
    inFlight--;
    if (asked.length > maxVarbinds) throw fail('TooBig', snmp.ErrorStatus.TooBig);
    return asked.map((oid) => {
      const next = sorted.find(([candidate]) => compareOids(candidate, oid) > 0);
      if (next === undefined) throw fail(`NoSuchName: ${oid}`, snmp.ErrorStatus.NoSuchName);
      return { oid: next[0], type: snmp.ObjectType.Integer, value: next[1] };
    });
  };
  return { getNext, sizes, mostInFlight: () => most, set };
}
