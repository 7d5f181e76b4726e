/**
 * Password hashes for `broker.users`: scrypt, stored as `scrypt$N$r$p$saltB64$hashB64`.
 * `busbar passwd` prints what `hashPassword` returns; the broker only ever sees hashes in config.
 * Both functions use the asynchronous scrypt, which runs on libuv's thread pool, so a burst of
 * logins never blocks the event loop that moves messages.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** N = 2^14, r = 8, p = 1: scrypt's "interactive login" setting, 16 MiB and ~50 ms per check. */
const COST = 16_384;
const BLOCK_SIZE = 8;
const PARALLELISM = 1;
const SALT_BYTES = 16;
const KEY_BYTES = 32;
/** Refuse hashes asking for more than this (a hash in config must not be able to exhaust memory). */
const MAX_MEMORY_BYTES = 256 * 1024 * 1024;

export const PASSWORD_HASH_PATTERN =
  /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/;

interface ParsedHash {
  readonly options: ScryptOptions;
  readonly salt: Buffer;
  readonly key: Buffer;
}

function deriveKey(
  password: string | Buffer,
  salt: Buffer,
  length: number,
  options: ScryptOptions,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, length, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

function memoryFor(cost: number, blockSize: number, parallelism: number): number {
  return 128 * cost * blockSize * parallelism;
}

/** Parses a stored hash; undefined when it is not one this module could have produced. */
export function parsePasswordHash(hash: string): ParsedHash | undefined {
  const match = PASSWORD_HASH_PATTERN.exec(hash);
  if (!match) return undefined;
  const cost = Number(match[1]);
  const blockSize = Number(match[2]);
  const parallelism = Number(match[3]);
  const powerOfTwo = cost > 1 && (cost & (cost - 1)) === 0;
  const memory = memoryFor(cost, blockSize, parallelism);
  if (!powerOfTwo || blockSize < 1 || parallelism < 1 || memory > MAX_MEMORY_BYTES) return undefined;
  const salt = Buffer.from(match[4]!, 'base64');
  const key = Buffer.from(match[5]!, 'base64');
  if (salt.length < 8 || key.length < 16) return undefined;
  // Node refuses when 128·N·r exceeds maxmem (32 MiB by default); give it room for the hash's own cost.
  const options: ScryptOptions = { N: cost, r: blockSize, p: parallelism, maxmem: 2 * memory };
  return { options, salt, key };
}

/** A new hash of `password` with a random salt, in the format `broker.users[].password` expects. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const options = {
    N: COST,
    r: BLOCK_SIZE,
    p: PARALLELISM,
    maxmem: 2 * memoryFor(COST, BLOCK_SIZE, PARALLELISM),
  };
  const key = await deriveKey(password, salt, KEY_BYTES, options);
  return `scrypt$${COST}$${BLOCK_SIZE}$${PARALLELISM}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** True when `password` matches `hash`; false for a wrong password or a malformed hash. */
export async function verifyPassword(password: string | Buffer, hash: string): Promise<boolean> {
  const parsed = parsePasswordHash(hash);
  if (!parsed) return false;
  const key = await deriveKey(password, parsed.salt, parsed.key.length, parsed.options);
  return timingSafeEqual(key, parsed.key);
}

/**
 * A well-formed hash no password matches (random salt and key), for checking a login whose username
 * does not exist: the refusal then costs one scrypt like a wrong password, so timing does not reveal
 * which usernames exist.
 */
export function decoyHash(): string {
  const salt = randomBytes(SALT_BYTES).toString('base64');
  const key = randomBytes(KEY_BYTES).toString('base64');
  return `scrypt$${COST}$${BLOCK_SIZE}$${PARALLELISM}$${salt}$${key}`;
}
