/**
 * Table columns over SNMPv1, which has no GETBULK: every column is walked at once, one GETNEXT
 * carrying the next OID of each column (RFC 1157 §4.1.3 allows any number of variable bindings per
 * request), so a table of 8 columns and 24 rows takes 25 requests instead of 200. Requests carry at
 * most `maxVarbinds` OIDs. v1 agents fail a whole request where v2c would mark one binding:
 *  - noSuchName with an error index: that column has no next instance (the end of the agent's MIB
 *    view); it is finished and the request is sent again without it;
 *  - tooBig: the response would not fit the agent's PDU; the request is split in halves.
 */
import * as snmp from 'net-snmp';
import type { Varbind } from './session.js';

/** One GETNEXT: the varbinds in the order of `oids`, or the request's error. */
export type GetNext = (oids: readonly string[]) => Promise<Varbind[]>;

/** Every instance under each column OID, in agent order. */
export async function walkColumnsV1(
  getNext: GetNext,
  columns: readonly string[],
  maxVarbinds: number,
): Promise<Map<string, Varbind[]>> {
  const cursors = [...new Set(columns)].map((column) => ({ column, next: column, rows: [] as Varbind[] }));
  let active = cursors;
  while (active.length > 0) {
    const chunks: (typeof active)[] = [];
    for (let i = 0; i < active.length; i += maxVarbinds) chunks.push(active.slice(i, i + maxVarbinds));
    const answers = await Promise.all(
      chunks.map((chunk) =>
        getNextTolerant(
          getNext,
          chunk.map((cursor) => cursor.next),
        ),
      ),
    );
    const still: typeof active = [];
    chunks.forEach((chunk, c) =>
      chunk.forEach((cursor, i) => {
        const varbind = answers[c]![i];
        // Past the column (the next column's first instance), or nothing after it at all.
        if (!varbind || snmp.isVarbindError(varbind) || !varbind.oid.startsWith(`${cursor.column}.`)) return;
        cursor.rows.push(varbind);
        cursor.next = varbind.oid;
        still.push(cursor);
      }),
    );
    active = still;
  }
  return new Map(cursors.map((cursor) => [cursor.column, cursor.rows]));
}

/** The answer to each of `oids`, undefined where the agent said noSuchName (no next instance). */
async function getNextTolerant(getNext: GetNext, oids: readonly string[]): Promise<(Varbind | undefined)[]> {
  try {
    return await getNext(oids);
  } catch (error) {
    const status = failedStatus(error);
    if (status === snmp.ErrorStatus.NoSuchName) {
      const at = oids.indexOf((error as Error).message.split(': ')[1] ?? '');
      if (at < 0) throw error;
      const rest = [...oids.slice(0, at), ...oids.slice(at + 1)];
      const answers = rest.length > 0 ? await getNextTolerant(getNext, rest) : [];
      return [...answers.slice(0, at), undefined, ...answers.slice(at)];
    }
    if (status === snmp.ErrorStatus.TooBig && oids.length > 1) {
      const half = Math.ceil(oids.length / 2);
      return [
        ...(await getNextTolerant(getNext, oids.slice(0, half))),
        ...(await getNextTolerant(getNext, oids.slice(half))),
      ];
    }
    throw error;
  }
}

/** The error-status of a response that refused the request, or undefined for any other failure. */
export function failedStatus(error: unknown): number | undefined {
  if (!(error instanceof Error) || error.name !== 'RequestFailedError') return undefined;
  return (error as { status?: number }).status;
}
