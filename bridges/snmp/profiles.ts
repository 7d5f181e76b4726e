/**
 * What a device's `profiles` entries stand for: a profile from a file (busbar's own in
 * bridges/snmp/profiles/, or the user's from `profileDirs`), or the generic outlet table written
 * inline. Every shipped OID was checked against the MIB that defines it; the files name them.
 */
import {
  columnSchema,
  profileFileSchema,
  type GenericOutlet,
  type Profiles,
  type SnmpGetConfig,
  type SnmpProfile,
  type SnmpWalkConfig,
} from './config.js';
import { mibNames } from './mib-names.js';
import { loadProfiles, SHIPPED_PROFILES_DIR } from './profile-files.js';

export interface ProfileItems {
  readonly gets: SnmpGetConfig[];
  readonly walks: SnmpWalkConfig[];
}

let shipped: Profiles | undefined;

/**
 * The shipped profiles alone, for a device parsed without its section's profiles (a plan built by
 * hand). Their files are part of busbar: a problem in one is a defect, thrown.
 */
export function shippedProfiles(): Profiles {
  if (!shipped) {
    const loaded = loadProfiles(
      [{ dir: SHIPPED_PROFILES_DIR, shipped: true }],
      profileFileSchema,
      new Set(),
      () => mibNames([]),
    );
    const problem = loaded.problems[0];
    if (problem) throw new Error(`shipped SNMP profile ${problem.file}: ${problem.message}`);
    shipped = Object.fromEntries(loaded.profiles);
  }
  return shipped;
}

function outletWalk(outlet: GenericOutlet): SnmpWalkConfig {
  const columns: SnmpWalkConfig['columns'] = [];
  const add = (spec: { oid: string; scale: number }, name: string) =>
    columns.push(columnSchema.parse({ oid: spec.oid, name, scale: spec.scale }));
  if (outlet.current) add(outlet.current, 'current_a');
  if (outlet.power) add(outlet.power, 'power_w');
  if (outlet.energy) add(outlet.energy, 'energy_kwh');
  return {
    measurement: 'outlet',
    indexTag: 'outlet',
    tags: outlet.name ? { outlet_name: outlet.name } : {},
    outlet: true,
    columns,
  };
}

export function expandProfile(profile: SnmpProfile, profiles: Profiles = shippedProfiles()): ProfileItems {
  if (typeof profile !== 'string') return { gets: [], walks: [outletWalk(profile.outlet)] };
  if (profile === 'auto') return { gets: [], walks: [] }; // resolved by the poller from sysObjectID
  const found = profiles[profile];
  // config.ts has checked every name a device gives.
  if (!found) throw new Error(`SNMP profile ${profile} is not defined`);
  return { gets: found.gets, walks: found.walks };
}
