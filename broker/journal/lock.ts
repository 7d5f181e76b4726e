/**
 * One process per journal folder: a second busbar on the same data would replay and delete the
 * first one's segments. The lock is a file holding the owner's pid; a lock left by a process that
 * no longer runs (a crash, `kill -9`) is taken over.
 */
import { readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BusbarError } from '../../core/runtime/errors.js';

export async function lockFolder(path: string): Promise<{ release(): Promise<void> }> {
  const file = join(path, 'lock');
  try {
    await writeFile(file, String(process.pid), { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const owner = Number((await readFile(file, 'utf8').catch(() => '')).trim());
    if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isRunning(owner)) {
      throw new BusbarError(
        'BUSBAR_PERSISTENCE',
        `the intake journal ${path} is in use by process ${owner}; give each busbar its own broker.journal.path`,
      );
    }
    await writeFile(file, String(process.pid));
  }
  return { release: () => unlink(file).catch(() => undefined) };
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
