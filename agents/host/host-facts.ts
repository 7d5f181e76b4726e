/** Constants of the host, read once when the agent starts. */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { promisify } from 'node:util';
import type { Logger } from '../../core/runtime/logger.js';
import type { HostFacts } from './readings.js';

const run = promisify(execFile);

/** `getconf NAME` as a positive integer, or `fallback` (logged) when getconf is missing or odd. */
async function getconf(name: string, fallback: number, log: Logger): Promise<number> {
  try {
    const { stdout } = await run('getconf', [name], { timeout: 5_000 });
    const value = Number(stdout.trim());
    if (Number.isInteger(value) && value > 0) return value;
    log.warn(
      { name, output: stdout.trim(), fallback },
      'getconf printed no positive integer; using the usual value',
    );
  } catch (error) {
    log.warn({ name, reason: (error as Error).message, fallback }, 'getconf failed; using the usual value');
  }
  return fallback;
}

async function bootId(): Promise<string> {
  try {
    return (await readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    // No boot id (not Linux): the boot time is as good a separator between boots.
    return String(Math.round(Date.now() / 1000 - os.uptime()));
  }
}

export async function readHostFacts(log: Logger): Promise<HostFacts> {
  const [clockTicks, pageSize, id] = await Promise.all([
    // USER_HZ is 100 on practically every Linux; the page size 4096 on x86 and most arm64.
    getconf('CLK_TCK', 100, log),
    getconf('PAGESIZE', 4096, log),
    bootId(),
  ]);
  return { clockTicks, pageSize, memTotal: os.totalmem(), bootId: id };
}
