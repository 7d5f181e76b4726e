/**
 * Reading a selection: SCAN with MATCH (never KEYS, which blocks Redis while it walks every key),
 * then the values in pipelined batches: MGET for strings, HGETALL for hashes.
 */
import type { Redis } from 'ioredis';
import { errorMessage } from '../../core/errors.js';
import type { RawValue } from './mapper.js';

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

/** A read that failed for one key only (a hash selection meeting a string key: WRONGTYPE). */
export interface KeyError {
  readonly error: string;
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
    for (const key of keys) pipeline.hgetall(key);
  } else {
    for (let i = 0; i < keys.length; i += batchSize) pipeline.mget(...keys.slice(i, i + batchSize));
  }
  const replies = await pipeline.exec();
  if (replies === null) throw new Error('the pipeline was discarded (connection lost)');
  if (type === 'hash') {
    return replies.map(([error, value]) =>
      error ? { error: errorMessage(error) } : (value as Record<string, string>),
    );
  }
  const values: (RawValue | KeyError)[] = [];
  for (const [error, batch] of replies) {
    // MGET fails as a whole only when the connection does; then the read fails.
    if (error) throw error;
    values.push(...(batch as (string | null)[]));
  }
  return values;
}
