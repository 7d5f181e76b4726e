/**
 * What one poll of a device reads: the device's own gets and walks after those of its profiles.
 * Built once when the bridge starts, so a poll does no config work.
 */
import type { Profiles, SnmpDeviceConfig, SnmpGetConfig, SnmpWalkConfig } from './config.js';
import { expandProfile, shippedProfiles } from './profiles.js';

export interface PollPlan {
  readonly gets: readonly SnmpGetConfig[];
  readonly walks: readonly SnmpWalkConfig[];
  /** Tags on every metric of the device: `device` and the configured ones. */
  readonly tags: Readonly<Record<string, string>>;
  /** `machineFromName`, compiled: the `machine` group of an outlet's name. */
  readonly machineFromName: RegExp | undefined;
}

/** `profiles`: those the device can name (the config's `profiles`); the shipped ones by default. */
export function buildPlan(device: SnmpDeviceConfig, profiles: Profiles = shippedProfiles()): PollPlan {
  const gets: SnmpGetConfig[] = [];
  const walks: SnmpWalkConfig[] = [];
  for (const profile of device.profiles) {
    const items = expandProfile(profile, profiles);
    gets.push(...items.gets);
    walks.push(...items.walks);
  }
  gets.push(...device.gets);
  walks.push(...device.walks);
  return {
    gets,
    walks: device.version === '1' ? walks.map(forV1) : walks,
    tags: { device: device.name, ...device.tags },
    machineFromName: device.machineFromName === undefined ? undefined : new RegExp(device.machineFromName),
  };
}

/** A table as SNMPv1 reads it: columns with an `oidV1` (no Counter64 in v1) read that instead. */
function forV1(walk: SnmpWalkConfig): SnmpWalkConfig {
  if (!walk.columns.some((column) => column.oidV1 !== undefined)) return walk;
  return {
    ...walk,
    columns: walk.columns.map((column) =>
      column.oidV1 === undefined ? column : { ...column, oid: column.oidV1 },
    ),
  };
}
