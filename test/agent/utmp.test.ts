/** Logged-in sessions counted from utmp records, as `who` counts them, without starting `who`. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { countUtmpSessions, readUtmpSessions } from '../../agents/host/linux/utmp.js';

/** utmp records of these `ut_type`s (glibc: 384 bytes each, the type an int32 first). */
function utmp(...types: number[]): Buffer {
  const file = Buffer.alloc(384 * types.length);
  types.forEach((type, i) => file.writeInt32LE(type, i * 384));
  return file;
}

describe('utmp sessions', () => {
  it('counts USER_PROCESS records only (not boot time, run level, login or dead processes)', () => {
    // BOOT_TIME 2, RUN_LVL 1, LOGIN_PROCESS 6, USER_PROCESS 7, DEAD_PROCESS 8 (utmp(5)).
    expect(countUtmpSessions(utmp(2, 1, 6, 7, 7, 8, 7))).toBe(3);
    expect(countUtmpSessions(Buffer.alloc(0))).toBe(0);
  });

  it('ignores a trailing partial record (a write in progress)', () => {
    expect(countUtmpSessions(Buffer.concat([utmp(7), Buffer.alloc(100, 7)]))).toBe(1);
  });

  it('reads the file, and reports no sessions where there is no utmp', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'busbar-utmp-'));
    try {
      const file = path.join(dir, 'utmp');
      await writeFile(file, utmp(2, 7, 7));
      expect(await readUtmpSessions(file)).toBe(2);
      expect(await readUtmpSessions(path.join(dir, 'missing'))).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
