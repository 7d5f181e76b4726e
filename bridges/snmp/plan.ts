/**
 * What one poll of a device reads: the device's own gets and walks after those of its profiles.
 * Built once when the bridge starts, so a poll does no config work.
 */
import type { SnmpDeviceConfig, SnmpGetConfig, SnmpWalkConfig } from './config.js';
import { expandProfile, type UserProfiles } from './profiles.js';

export interface PollPlan {
  readonly gets: readonly SnmpGetConfig[];
  readonly walks: readonly SnmpWalkConfig[];
  /** Tags on every metric of the device: `device` and the configured ones. */
  readonly tags: Readonly<Record<string, string>>;
  /** `machineFromName`, compiled: the `machine` group of an outlet's name. */
  readonly machineFromName: RegExp | undefined;
}

export function buildPlan(device: SnmpDeviceConfig, userProfiles: UserProfiles = {}): PollPlan {
  const gets: SnmpGetConfig[] = [];
  const walks: SnmpWalkConfig[] = [];
  for (const profile of device.profiles) {
    const items = expandProfile(profile, device, userProfiles);
    gets.push(...items.gets);
    walks.push(...items.walks);
  }
  gets.push(...device.gets);
  walks.push(...device.walks);
  return {
    gets,
    walks,
    tags: { device: device.name, ...device.tags },
    machineFromName: device.machineFromName === undefined ? undefined : new RegExp(device.machineFromName),
  };
}
