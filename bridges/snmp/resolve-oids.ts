/**
 * Every place of a device's config that holds an OID, so that MIB names written there can be
 * resolved to numbers (mib-names.ts) and an unknown one reported with its path. A device's `tags`
 * are free text and not among them.
 */
import { MIB_NAME, type MibNames } from './mib-names.js';

/** A place holding an OID: its path below the device, its value, and how to replace it. */
interface OidPlace {
  readonly path: (string | number)[];
  readonly value: string;
  set(oid: string): void;
}

/** A column's places for OIDs besides its own. */
const COLUMN_OIDS = ['digits', 'multiplyBy', 'divideBy', 'oidV1'] as const;

type OidColumn = { oid: string } & { [key in (typeof COLUMN_OIDS)[number]]?: string | undefined };

/** The shape of a device as far as OIDs go (config.ts's device before resolution). */
export interface DeviceOids {
  gets: { oid: string }[];
  walks: { columns: OidColumn[]; tags: Record<string, string> }[];
  profiles: (string | { outlet: Record<string, string | { oid: string } | undefined> })[];
}

function* oidPlaces(device: DeviceOids): Generator<OidPlace> {
  for (const [g, get] of device.gets.entries())
    yield { path: ['gets', g, 'oid'], value: get.oid, set: (oid) => (get.oid = oid) };
  for (const [w, walk] of device.walks.entries()) {
    for (const [c, column] of walk.columns.entries()) {
      yield { path: ['walks', w, 'columns', c, 'oid'], value: column.oid, set: (oid) => (column.oid = oid) };
      for (const key of COLUMN_OIDS) {
        const value = column[key];
        if (value !== undefined)
          yield { path: ['walks', w, 'columns', c, key], value, set: (oid) => (column[key] = oid) };
      }
    }
    for (const [tag, oid] of Object.entries(walk.tags))
      yield { path: ['walks', w, 'tags', tag], value: oid, set: (value) => (walk.tags[tag] = value) };
  }
  for (const [p, profile] of device.profiles.entries()) {
    if (typeof profile === 'string') continue;
    for (const [key, entry] of Object.entries(profile.outlet)) {
      if (typeof entry === 'string')
        yield {
          path: ['profiles', p, 'outlet', key],
          value: entry,
          set: (oid) => (profile.outlet[key] = oid),
        };
      else if (entry !== undefined)
        yield {
          path: ['profiles', p, 'outlet', key, 'oid'],
          value: entry.oid,
          set: (oid) => (entry.oid = oid),
        };
    }
  }
}

export interface OidProblem {
  readonly path: (string | number)[];
  readonly message: string;
}

/** Replaces the MIB names of `device` by numeric OIDs, in place; returns the names it could not. */
export function resolveDeviceOids(device: DeviceOids, names: () => MibNames): OidProblem[] {
  const problems: OidProblem[] = [];
  for (const place of oidPlaces(device)) {
    if (!MIB_NAME.test(place.value)) continue;
    const resolved = names().resolve(place.value);
    if ('oid' in resolved) place.set(resolved.oid);
    else problems.push({ path: place.path, message: resolved.error });
  }
  return problems;
}
