/**
 * Reading a selection: SCAN with MATCH (never KEYS, which blocks Redis while it walks every key),
 * then the values in pipelined batches: MGET for strings, HGETALL for hashes. Values are read as
 * bytes and decoded strictly, so invalid UTF-8 is refused rather than published with U+FFFD in it.
 * MGET answers nil both for a key that is gone and for one of another type (a hash where a string
 * is expected); a TYPE for those keys tells the two apart, so a wrong type is refused with a reason
 * instead of being counted as vanished on every read.
 */
import type { Redis } from 'ioredis';
import { errorMessage } from '../../core/runtime/errors.js';
import type { RawValue } from './mapper.js';
import type { RefusalCode } from './refusals.js';

/** Every key matching `match`, once (SCAN may return a key more than once). */
export async function scanKeys(redis: Redis, match: string, count: number): Promise<string[]> {
  const keys = new Set<string>();
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', match, 'COUNT', count);
    for (const key of batch) keys.add(key);
    cursor = next;
  } while (cursor !== '0');
  return [...keys];
}

/** A read that failed for one key only; `raw` is what there is to show in the dead letter. */
export interface KeyError {
  readonly code: RefusalCode;
  readonly error: string;
  readonly raw: unknown;
}

export function isKeyError(value: RawValue | KeyError): value is KeyError {
  return value !== null && typeof value === 'object' && 'code' in value && 'error' in value;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The text of `bytes`, or a KeyError naming where the invalid UTF-8 is. */
function decode(bytes: Buffer, where: string): string | KeyError {
  try {
    return utf8.decode(bytes);
  } catch {
    // TextDecoder says only "The encoded data was not valid"; the byte offset is more use.
    const offset = firstInvalidByte(bytes);
    return {
      code: 'invalid-utf8',
      error: `invalid UTF-8 in ${where} near byte ${offset}`,
      raw: bytes.toString('utf8'),
    };
  }
}

/** Where the first invalid sequence ends: a prefix holding one fails even in streaming mode, so bisect. */
function firstInvalidByte(bytes: Buffer): number {
  const valid = (end: number): boolean => {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, end), { stream: true });
      return true;
    } catch {
      return false;
    }
  };
  let [low, high] = [0, bytes.length]; // valid(low), !valid(high)
  while (high - low > 1) {
    const middle = (low + high) >>> 1;
    if (valid(middle)) low = middle;
    else high = middle;
  }
  return low;
}

/** The values of `keys`, in order, in one pipeline of `batchSize`-key commands. */
export async function readValues(
  redis: Redis,
  type: 'json' | 'hash' | 'number',
  keys: readonly string[],
  batchSize: number,
): Promise<(RawValue | KeyError)[]> {
  if (keys.length === 0) return [];
  const pipeline = redis.pipeline();
  if (type === 'hash') {
    for (const key of keys) pipeline.hgetallBuffer(key);
  } else {
    for (let i = 0; i < keys.length; i += batchSize) pipeline.mgetBuffer(...keys.slice(i, i + batchSize));
  }
  const replies = await pipeline.exec();
  if (replies === null) throw new Error('the pipeline was discarded (connection lost)');
  const values: (RawValue | KeyError)[] = [];
  if (type === 'hash') {
    for (const [error, value] of replies) {
      if (error) values.push({ code: 'wrong-type', error: errorMessage(error), raw: null });
      else values.push(decodeHash(value as Record<string, Buffer>));
    }
  } else {
    for (const [error, batch] of replies) {
      // MGET fails as a whole only when the connection does; then the read fails.
      if (error) throw error;
      for (const bytes of batch as (Buffer | null)[])
        values.push(bytes === null ? null : decode(bytes, 'the value'));
    }
  }
  await explainMissing(redis, type, keys, values);
  return values;
}

function decodeHash(hash: Record<string, Buffer>): Record<string, string> | KeyError {
  const out: Record<string, string> = {};
  for (const [field, bytes] of Object.entries(hash)) {
    const text = decode(bytes, `hash field ${JSON.stringify(field)}`);
    if (typeof text !== 'string') return text;
    out[field] = text;
  }
  return out;
}

/** Keys read as nil (MGET) or refused (HGETALL: WRONGTYPE): gone, or holding another type? */
async function explainMissing(
  redis: Redis,
  type: 'json' | 'hash' | 'number',
  keys: readonly string[],
  values: (RawValue | KeyError)[],
): Promise<void> {
  const unclear = values.flatMap((value, index) =>
    value === null || (isKeyError(value) && value.code === 'wrong-type') ? [index] : [],
  );
  if (unclear.length === 0) return;
  const pipeline = redis.pipeline();
  for (const index of unclear) pipeline.type(keys[index]!);
  const replies = (await pipeline.exec()) ?? [];
  const expected = type === 'hash' ? 'hash' : 'string';
  unclear.forEach((index, i) => {
    const [error, held] = replies[i] ?? [];
    if (error || held === 'none' || held === expected) return; // gone (or changed back) since the read
    values[index] = {
      code: 'wrong-type',
      error: `WRONGTYPE: the key holds a ${String(held)}, the selection reads ${expected}s (type: ${type})`,
      raw: null,
    };
  });
}
