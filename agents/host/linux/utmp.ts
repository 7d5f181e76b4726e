/**
 * Logged-in sessions counted from utmp, as `who` counts them, without starting `who`.
 * systeminformation's users() runs `who --ips; w` in a shell at every sample; starting a process from
 * busbar's (large) process holds its event loop for milliseconds each time, which the broker's
 * messages wait out (docs/performance.md, "Broker latency").
 * glibc's `struct utmp` is 384 bytes on every Linux ABI it supports (64-bit ones keep 32-bit times
 * for compatibility): `ut_type` (int32) first, USER_PROCESS = 7 is a login session (utmp(5)).
 */
import { readFile } from 'node:fs/promises';

export const UTMP_PATH = '/var/run/utmp';
const RECORD_BYTES = 384;
const USER_PROCESS = 7;

/** Sessions in a utmp file's contents; a trailing partial record (a write in progress) is ignored. */
export function countUtmpSessions(utmp: Buffer): number {
  let sessions = 0;
  for (let at = 0; at + RECORD_BYTES <= utmp.length; at += RECORD_BYTES) {
    if (utmp.readInt32LE(at) === USER_PROCESS) sessions++;
  }
  return sessions;
}

/** Sessions now; 0 where there is no utmp (containers, systemd without utmp), as `who` prints none. */
export async function readUtmpSessions(file = UTMP_PATH): Promise<number> {
  try {
    return countUtmpSessions(await readFile(file));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
}
