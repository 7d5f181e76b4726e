import { describe, expect, it } from 'vitest';
import { CredentialCache } from '../../broker/credential-cache.js';
import { decoyHash, hashPassword, PASSWORD_HASH_PATTERN, verifyPassword } from '../../broker/passwords.js';

describe('password hashes', () => {
  it('are scrypt$N$r$p$salt$hash and verify only the right password', async () => {
    const hash = await hashPassword('correct horse battery');
    expect(hash).toMatch(PASSWORD_HASH_PATTERN);
    expect(hash.startsWith('scrypt$16384$8$1$')).toBe(true);
    expect(await verifyPassword('correct horse battery', hash)).toBe(true);
    expect(await verifyPassword(Buffer.from('correct horse battery'), hash)).toBe(true);
    expect(await verifyPassword('correct horse batterY', hash)).toBe(false);
    expect(await verifyPassword('', hash)).toBe(false);
  });

  it('use a fresh salt each time', async () => {
    const [a, b] = await Promise.all([hashPassword('same'), hashPassword('same')]);
    expect(a).not.toBe(b);
  });

  it('refuse malformed or abusive hashes instead of throwing', async () => {
    const hash = await hashPassword('pw');
    const [, , r, p, salt, key] = hash.split('$');
    expect(await verifyPassword('pw', 'plain-text')).toBe(false);
    expect(await verifyPassword('pw', hash.replace(/=*\$[^$]*$/, '$'))).toBe(false);
    // N must be a power of two, and memory bounded (2^30 would ask for 1 TiB).
    expect(await verifyPassword('pw', ['scrypt', '1000', r, p, salt, key].join('$'))).toBe(false);
    expect(await verifyPassword('pw', ['scrypt', String(2 ** 30), r, p, salt, key].join('$'))).toBe(false);
    expect(await verifyPassword('pw', decoyHash())).toBe(false);
  });

  it('are checked without blocking the event loop', async () => {
    const hash = await hashPassword('pw');
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    await Promise.all(Array.from({ length: 8 }, () => verifyPassword('pw', hash)));
    clearInterval(timer);
    // 8 checks take well over 50 ms of CPU; a synchronous scrypt would let the timer fire ~once.
    expect(ticks).toBeGreaterThan(5);
  });
});

describe('credential cache', () => {
  const password = Buffer.from('pw');

  it('runs one check for concurrent identical logins and trusts a success until it expires', async () => {
    let now = 0;
    const cache = new CredentialCache({ ttlMs: 1_000, maxEntries: 10, now: () => now });
    let checks = 0;
    const check = async (): Promise<boolean> => {
      checks++;
      await new Promise((resolve) => setTimeout(resolve, 10));
      return true;
    };
    expect(await Promise.all([1, 2, 3].map(() => cache.verify('alice', password, check)))).toEqual([
      true,
      true,
      true,
    ]);
    expect(checks).toBe(1);
    now = 999;
    expect(await cache.verify('alice', password, check)).toBe(true);
    expect(checks).toBe(1);
    now = 1_000;
    expect(await cache.verify('alice', password, check)).toBe(true);
    expect(checks).toBe(2);
  });

  it('keys on username and password, and never caches a failure or an error', async () => {
    const cache = new CredentialCache({ ttlMs: 60_000, maxEntries: 10 });
    let checks = 0;
    const yes = async (): Promise<boolean> => (checks++, true);
    const no = async (): Promise<boolean> => (checks++, false);
    await cache.verify('alice', password, yes);
    await cache.verify('bob', password, yes);
    await cache.verify('alice', Buffer.from('other'), yes);
    expect(checks).toBe(3);
    expect(await cache.verify('carol', password, no)).toBe(false);
    expect(await cache.verify('carol', password, no)).toBe(false);
    expect(checks).toBe(5);
    await expect(cache.verify('dave', password, () => Promise.reject(new Error('boom')))).rejects.toThrow(
      'boom',
    );
    expect(await cache.verify('dave', password, yes)).toBe(true);
  });

  it('keeps at most maxEntries, dropping the oldest', async () => {
    const cache = new CredentialCache({ ttlMs: 60_000, maxEntries: 2 });
    let checks = 0;
    const yes = async (): Promise<boolean> => (checks++, true);
    await cache.verify('a', password, yes);
    await cache.verify('b', password, yes);
    await cache.verify('c', password, yes);
    expect(cache.size).toBe(2);
    await cache.verify('a', password, yes);
    expect(checks).toBe(4);
  });
});
