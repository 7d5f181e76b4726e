/**
 * Anonymised process ids, as SlapOS's collector makes them: a hash of the pid and the process's start
 * time, which together name one process for its whole life (a pid alone is reused). The boot id
 * keeps ids from two boots apart. The pid itself and the command line are not published.
 */
import { createHash } from 'node:crypto';

export function processId(bootId: string, pid: number, startTicks: number): string {
  return createHash('sha256').update(`${bootId}:${pid}:${startTicks}`).digest('hex').slice(0, 16);
}
