/**
 * /proc/diskstats (Documentation/admin-guide/iostats.rst): `major minor name` then reads completed,
 * reads merged, sectors read, ms reading, writes completed, writes merged, sectors written, ...
 * A sector here is always 512 bytes, whatever the device's own sector size.
 */
import type { DiskIoCounters } from '../readings.js';

export function parseDiskstats(text: string): DiskIoCounters[] {
  const devices: DiskIoCounters[] = [];
  for (const line of text.split('\n')) {
    const columns = line.trim().split(/\s+/);
    if (columns.length < 10) continue;
    const [, , name, reads, , sectorsRead, , writes, , sectorsWritten] = columns;
    if (!name || !isCount(reads) || !isCount(sectorsRead) || !isCount(writes) || !isCount(sectorsWritten))
      continue;
    devices.push({
      name,
      reads: BigInt(reads),
      writes: BigInt(writes),
      sectorsRead: BigInt(sectorsRead),
      sectorsWritten: BigInt(sectorsWritten),
    });
  }
  return devices;
}

export function isCount(text: string | undefined): text is string {
  return text !== undefined && /^\d+$/.test(text);
}
