/**
 * Every process's /proc/<pid>/stat, then owner and I/O counters for the few that make the top lists
 * (`choose`), so a host with thousands of processes costs one small read per process, not three.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { parsePasswd, parsePidIo, parsePidStat } from '../linux/proc-pid.js';
import { mapLimited } from '../map-limited.js';
import type { ProcessDetails, ProcessStat, ProcessesReading } from '../readings.js';
import { readSmallProcFile } from './linux.js';
import { isPid } from './system.js';

/** A process that exits between readdir and readFile is simply gone; anything else is a real error. */
function isGone(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ESRCH';
}

async function readStat(pid: string): Promise<ProcessStat | undefined> {
  try {
    return parsePidStat(await readSmallProcFile(`/proc/${pid}/stat`));
  } catch (error) {
    if (isGone(error)) return undefined;
    throw error;
  }
}

/** uid → name, from /etc/passwd, read again (at most once a minute) when an unknown uid shows up. */
class UserNames {
  private names = new Map<number, string>();
  private loadedAt = Number.NEGATIVE_INFINITY;
  /** One read for all the lookups of a sample, which run concurrently. */
  private loading: Promise<void> | undefined;

  async name(uid: number): Promise<string> {
    if (!this.names.has(uid) && performance.now() - this.loadedAt > 60_000) {
      this.loading ??= this.load().finally(() => {
        this.loadedAt = performance.now();
        this.loading = undefined;
      });
    }
    await this.loading;
    return this.names.get(uid) ?? String(uid);
  }

  private async load(): Promise<void> {
    try {
      this.names = parsePasswd(await readFile('/etc/passwd', 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
}

const userNames = new UserNames();

async function readDetails(pid: number): Promise<ProcessDetails> {
  let user: string | undefined;
  try {
    user = await userNames.name((await stat(`/proc/${pid}`)).uid);
  } catch (error) {
    if (!isGone(error)) throw error;
  }
  let io: { readBytes: bigint | undefined; writeBytes: bigint | undefined } = {
    readBytes: undefined,
    writeBytes: undefined,
  };
  try {
    io = parsePidIo(await readSmallProcFile(`/proc/${pid}/io`));
  } catch (error) {
    // Another user's counters are readable by root only: without them the fields are left out.
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EACCES' && code !== 'EPERM' && !isGone(error)) throw error;
  }
  return { user, ...io };
}

/** /proc reads in flight at once: enough to keep the thread pool busy, few enough per loop turn. */
const READS_IN_FLIGHT = 4;

export async function readProcesses(
  choose: (processes: ProcessStat[], atMs: number) => number[],
): Promise<ProcessesReading> {
  const pids = (await readdir('/proc')).filter(isPid);
  const stats = await mapLimited(pids, READS_IN_FLIGHT, readStat);
  const atMs = performance.now();
  const processes = stats.filter((entry): entry is ProcessStat => entry !== undefined);
  const chosen = choose(processes, atMs);
  const details = new Map(
    await mapLimited(chosen, READS_IN_FLIGHT, async (pid) => [pid, await readDetails(pid)] as const),
  );
  return { atMs, processes, details };
}
