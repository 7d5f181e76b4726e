/**
 * Table columns walked in step: each request carries the next OID of several columns, so a table
 * of 8 columns and 24 rows takes a few requests instead of one walk (and its requests) per column.
 * Each column keeps its own cursor, as its own walk would: a column that ends early, or skips rows
 * another has (an empty outlet), drops out or moves on alone, and rows are matched by their index
 * afterwards, never by position in a response.
 *
 * - SNMPv1 has no GETBULK: one GETNEXT carries the next OID of each column (RFC 1157 §4.1.3 allows
 *   any number of variable bindings per request), one row per request.
 * - SNMPv2c/v3: one GETBULK with a varbind per column and no non-repeaters returns up to
 *   `max-repetitions` successors of each (RFC 3416 §4.2.3). An agent may return fewer to fit its
 *   message size, and a column it left unanswered is asked again.
 *
 * Requests carry at most `perRequest` columns. Agents fail a whole request where a binding would do:
 *  - noSuchName (v1) with an error index: that column has no next instance (the end of the agent's
 *    MIB view); it is finished and the request is sent again without it;
 *  - tooBig: the response would not fit the agent's PDU; the request is split in halves.
 */
import * as snmp from 'net-snmp';
import type { Varbind } from './values.js';

/**
 * One request for the successors of each of `oids`, in the order of `oids`: per OID the instances
 * that follow it in agent order (GETNEXT: one; GETBULK: up to max-repetitions), empty when the
 * agent said nothing follows it, undefined when the response left it out.
 */
export type NextInstances = (oids: readonly string[]) => Promise<(readonly Varbind[] | undefined)[]>;

/** One GETNEXT: the varbinds in the order of `oids`, or the request's error. */
export type GetNext = (oids: readonly string[]) => Promise<Varbind[]>;

/** Every instance under each column OID, in agent order; at most `inFlight` requests at once. */
export async function walkColumnsInStep(
  next: NextInstances,
  columns: readonly string[],
  perRequest: number,
  inFlight = Infinity,
): Promise<Map<string, Varbind[]>> {
  const cursors = [...new Set(columns)].map((column) => ({ column, next: column, rows: [] as Varbind[] }));
  let active = cursors;
  while (active.length > 0) {
    const chunks: (typeof active)[] = [];
    for (let i = 0; i < active.length; i += perRequest) chunks.push(active.slice(i, i + perRequest));
    const answers = await inBatches(chunks, inFlight, (chunk) =>
      nextTolerant(
        next,
        chunk.map((cursor) => cursor.next),
      ),
    );
    const still: typeof active = [];
    let answered = false;
    chunks.forEach((chunk, c) =>
      chunk.forEach((cursor, i) => {
        const instances = answers[c]![i];
        if (instances === undefined) return void still.push(cursor); // left out: ask again
        answered = true;
        for (const varbind of instances) {
          // Past the column (the next column's first instance), or nothing after it at all.
          if (snmp.isVarbindError(varbind) || !varbind.oid.startsWith(`${cursor.column}.`)) return;
          cursor.rows.push(varbind);
          cursor.next = varbind.oid;
        }
        if (instances.length > 0) still.push(cursor);
      }),
    );
    // An agent that answers a request with none of its columns would be asked for ever.
    if (!answered)
      throw new Error(`the agent returned no instance of ${still.map((cursor) => cursor.next).join(', ')}`);
    active = still;
  }
  return new Map(cursors.map((cursor) => [cursor.column, cursor.rows]));
}

/**
 * Over SNMPv1: the columns share each GETNEXT, at most `maxVarbinds` OIDs per request, a row per
 * step. The bridge walks through V1KnownRows, which does this on a session's first poll.
 */
export function walkColumnsV1(
  getNext: GetNext,
  columns: readonly string[],
  maxVarbinds: number,
  inFlight = Infinity,
): Promise<Map<string, Varbind[]>> {
  return walkColumnsInStep(nextInstancesV1(getNext), columns, maxVarbinds, inFlight);
}

/** A GETNEXT as NextInstances: one successor per OID. */
export function nextInstancesV1(getNext: GetNext): NextInstances {
  return async (oids) => (await getNext(oids)).map((varbind) => [varbind]);
}

/**
 * The successors of each of `oids` (see NextInstances), `perRequest` OIDs per request and at most
 * `inFlight` requests at once; an OID the agent has nothing after maps to an empty list.
 */
export async function nextOfEach(
  next: NextInstances,
  oids: readonly string[],
  perRequest: number,
  inFlight: number,
): Promise<Map<string, readonly Varbind[]>> {
  const unique = [...new Set(oids)];
  const chunks: string[][] = [];
  for (let i = 0; i < unique.length; i += perRequest) chunks.push(unique.slice(i, i + perRequest));
  const answers = await inBatches(chunks, inFlight, (chunk) => nextTolerant(next, chunk));
  const out = new Map<string, readonly Varbind[]>();
  chunks.forEach((chunk, c) =>
    chunk.forEach((oid, i) => {
      const instances = answers[c]![i];
      if (instances !== undefined) out.set(oid, instances);
    }),
  );
  return out;
}

/** `work` of every item, at most `limit` at once; results in the order of `items`. */
async function inBatches<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let taken = 0;
  const worker = async (): Promise<void> => {
    for (let i = taken++; i < items.length; i = taken++) results[i] = await work(items[i]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** The answer to each of `oids`, empty where a v1 agent said noSuchName (no next instance). */
async function nextTolerant(
  next: NextInstances,
  oids: readonly string[],
): Promise<(readonly Varbind[] | undefined)[]> {
  try {
    return await next(oids);
  } catch (error) {
    const status = failedStatus(error);
    if (status === snmp.ErrorStatus.NoSuchName) {
      const at = oids.indexOf((error as Error).message.split(': ')[1] ?? '');
      if (at < 0) throw error;
      const rest = [...oids.slice(0, at), ...oids.slice(at + 1)];
      const answers = rest.length > 0 ? await nextTolerant(next, rest) : [];
      return [...answers.slice(0, at), [], ...answers.slice(at)];
    }
    if (status === snmp.ErrorStatus.TooBig && oids.length > 1) {
      const half = Math.ceil(oids.length / 2);
      return [
        ...(await nextTolerant(next, oids.slice(0, half))),
        ...(await nextTolerant(next, oids.slice(half))),
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
