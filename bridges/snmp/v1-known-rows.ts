/**
 * SNMPv1 walks that start from the rows the previous walk found. v1 has no GETBULK: a walk asks
 * GETNEXT of one row after the other, a round trip per row. But every step of a walk is "what
 * follows this OID?", and after one poll the bridge knows which OIDs the next walk will ask about:
 * the column itself and each instance it found. Those questions are sent up front, many per GETNEXT
 * and several requests at once; the walk then runs over the answers and asks the agent only about
 * what they did not foresee.
 *
 * The result is the walk's, step for step, whatever changed: every instance published is one a
 * GETNEXT of this poll returned as the successor of the previous one. A vanished row costs nothing
 * (its predecessor's answer already names the row after it); an added row is a step nobody foresaw,
 * asked then, after which the walk joins the known rows again. A guess that went stale (an agent
 * restarted with other tables) costs requests, never values, so the known rows need no expiry: each
 * walk replaces them, and a new session (after a failed poll) starts without any.
 */
import type { Varbind } from './values.js';
import {
  nextInstancesV1,
  nextOfEach,
  walkColumnsInStep,
  type GetNext,
  type NextInstances,
} from './column-walk.js';

export class V1KnownRows {
  /** Column OID → the instance OIDs its last walk found, in agent order. */
  private readonly known = new Map<string, readonly string[]>();

  /** Every instance under each of `columns`, as walkColumnsV1 would return them. */
  async walk(
    getNext: GetNext,
    columns: readonly string[],
    maxVarbinds: number,
    inFlight: number,
  ): Promise<Map<string, Varbind[]>> {
    const next = nextInstancesV1(getNext);
    const asks = columns.flatMap((column) => [column, ...(this.known.get(column) ?? [])]);
    const foreseen = await nextOfEach(next, asks, maxVarbinds, inFlight);
    const fromForeseen: NextInstances = async (oids) => {
      const unforeseen = oids.filter((oid) => !foreseen.has(oid));
      const asked = unforeseen.length > 0 ? await next(unforeseen) : [];
      return oids.map((oid) => foreseen.get(oid) ?? asked[unforeseen.indexOf(oid)]);
    };
    const rows = await walkColumnsInStep(fromForeseen, columns, maxVarbinds, inFlight);
    for (const [column, instances] of rows)
      this.known.set(
        column,
        instances.map((varbind) => varbind.oid),
      );
    return rows;
  }
}
