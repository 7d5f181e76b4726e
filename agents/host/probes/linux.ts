/**
 * Counters read straight from Linux's /proc. systeminformation has no per-device disk I/O, no packet
 * counters, and its currentLoad() lacks iowait and softirq and runs `cat /proc/stat` synchronously
 * in a shell; one readFile each is cheaper and complete. Elsewhere than Linux these probes fail with
 * a clear reason and their collector publishes nothing.
 */
import { open, readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { parseDiskstats } from '../linux/diskstats.js';
import { parseNetDev } from '../linux/net-dev.js';
import { parseProcStat } from '../linux/proc-stat.js';
import type { CpuReading, DiskIoReading, NetReading } from '../readings.js';

/** Reads a /proc file, saying what is missing when the host has no such file. */
export async function readProcFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && process.platform !== 'linux') {
      throw new Error(`${path} does not exist: this collector needs Linux (running on ${process.platform})`, {
        cause: error,
      });
    }
    throw error;
  }
}

/** Per-process files are a few hundred bytes; see readSmallProcFile. */
const SMALL_FILE_BYTES = 2048;

/**
 * Reads a small /proc file with one read into a 2 KiB buffer. readFile cannot know the size of a
 * /proc file (they all report 0) and allocates 64 KiB for each, which the processes probe would do
 * hundreds of times per sample; that garbage alone made up a quarter of the agent's memory.
 */
export async function readSmallProcFile(path: string): Promise<string> {
  const handle = await open(path, 'r');
  try {
    // Below half of Node's 8 KiB pool size, so this comes from the shared pool.
    const buffer = Buffer.allocUnsafe(SMALL_FILE_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SMALL_FILE_BYTES, 0);
    if (bytesRead < SMALL_FILE_BYTES) return buffer.toString('utf8', 0, bytesRead);
  } finally {
    await handle.close();
  }
  return readFile(path, 'utf8'); // larger than expected: read it whole
}

export async function readCpu(): Promise<CpuReading> {
  const text = await readProcFile('/proc/stat');
  return { atMs: performance.now(), ...parseProcStat(text) };
}

export async function readDiskIo(): Promise<DiskIoReading> {
  const text = await readProcFile('/proc/diskstats');
  return { atMs: performance.now(), devices: parseDiskstats(text) };
}

export async function readNet(): Promise<NetReading> {
  const text = await readProcFile('/proc/net/dev');
  return { atMs: performance.now(), interfaces: parseNetDev(text) };
}
