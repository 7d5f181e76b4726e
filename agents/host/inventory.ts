/**
 * The inventory (what SlapOS calls the computer snapshot): CPU model, cores and frequency, memory
 * size, disks and partitions, OS, kernel and agent version, as retained JSON on
 * `<base>/inventory/<source>`. It holds nothing that changes by itself (no timestamps, no usage), so
 * comparing two readings' JSON tells whether the machine changed and the JSON must be republished.
 */
import si, { type Systeminformation } from 'systeminformation';

export interface InventoryReading {
  cpu: Systeminformation.CpuData;
  os: Systeminformation.OsData;
  system: Systeminformation.SystemData;
  memTotal: number;
  swapTotal: number;
  blockDevices: Systeminformation.BlockDevicesData[];
}

export async function readInventory(): Promise<InventoryReading> {
  const [cpu, os, system, mem, blockDevices] = await Promise.all([
    si.cpu(),
    si.osInfo(),
    si.system(),
    si.mem(),
    si.blockDevices(),
  ]);
  return { cpu, os, system, memTotal: mem.total, swapTotal: mem.swaptotal, blockDevices };
}

/** A value worth stating: empty strings and unknown (0) frequencies are left out. */
function known<T>(value: T): T | undefined {
  if (value === '' || value === null || value === 0 || value === '-') return undefined;
  return value;
}

interface Partition {
  name: string;
  size: number;
  fsType?: string;
  mount?: string;
}

interface Disk {
  name: string;
  size: number;
  physical?: string;
  model?: string;
  serial?: string;
  removable: boolean;
  partitions: Partition[];
}

/** Disks with their partitions; loop, ROM and empty devices (zram before use) are not disks. */
function disks(devices: Systeminformation.BlockDevicesData[]): Disk[] {
  const result: Disk[] = [];
  for (const device of devices) {
    if (device.type !== 'disk' || !(device.size > 0)) continue;
    result.push({
      name: device.name,
      size: device.size,
      physical: known(device.physical),
      model: known(device.model?.trim()),
      serial: known(device.serial?.trim()),
      removable: device.removable,
      partitions: [],
    });
  }
  for (const device of devices) {
    if (device.type !== 'part') continue;
    // The disk of a partition is the longest disk name it starts with (sda1 → sda, nvme0n1p2 → nvme0n1).
    const disk = result
      .filter((candidate) => device.name.startsWith(candidate.name))
      .sort((a, b) => b.name.length - a.name.length)[0];
    disk?.partitions.push({
      name: device.name,
      size: device.size,
      fsType: known(device.fsType),
      mount: known(device.mount),
    });
  }
  return result;
}

export function buildInventory(reading: InventoryReading, source: string, agentVersion: string): object {
  const { cpu, os, system } = reading;
  return {
    source,
    agent: { version: agentVersion },
    cpu: {
      manufacturer: known(cpu.manufacturer),
      brand: known(cpu.brand),
      cores: cpu.cores,
      physicalCores: cpu.physicalCores,
      sockets: known(cpu.processors),
      speedGHz: known(cpu.speed),
      speedMaxGHz: known(cpu.speedMax),
      virtualization: cpu.virtualization,
    },
    memory: { total: reading.memTotal, swapTotal: reading.swapTotal },
    disks: disks(reading.blockDevices),
    os: {
      platform: os.platform,
      distro: known(os.distro),
      release: known(os.release),
      kernel: os.kernel,
      arch: os.arch,
      hostname: os.hostname,
    },
    system: {
      manufacturer: known(system.manufacturer),
      model: known(system.model),
      virtual: system.virtual,
    },
  };
}

/** JSON.stringify leaves out undefined members: absent facts are absent, not null. */
export function inventoryJson(inventory: object): string {
  return JSON.stringify(inventory);
}
