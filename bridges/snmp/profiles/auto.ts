/**
 * `profiles: [auto]`: the profiles a device gets from its sysObjectID (SNMPv2-MIB, 1.3.6.1.2.1.1.2.0),
 * read once when the device first answers. A vendor's agents report their product's OID under the
 * vendor's enterprise number, so the longest matching prefix wins; profiles say theirs in
 * `sysObjectIds` (the shipped ones in this folder's files).
 */
import type { Profiles } from '../config.js';
import { shippedProfiles } from '../profiles.js';

export const SYS_OBJECT_ID = '1.3.6.1.2.1.1.2.0';

/**
 * The profiles for `sysObjectId`, `system` first, or undefined when none knows the device. The
 * user's profiles and the shipped ones compete on prefix length; on a tie the user's win. All
 * profiles with the winning prefix are taken, in the order of their files.
 */
export function profilesFor(
  sysObjectId: string,
  profiles: Profiles = shippedProfiles(),
): string[] | undefined {
  const oid = sysObjectId.replace(/^\./, '');
  const matches = Object.values(profiles)
    .flatMap((profile) => profile.sysObjectIds.map((prefix) => ({ prefix, profile })))
    .filter((entry) => oid === entry.prefix || oid.startsWith(`${entry.prefix}.`));
  const longest = Math.max(...matches.map((entry) => entry.prefix.length));
  const best = matches.filter((entry) => entry.prefix.length === longest);
  if (best.length === 0) return undefined;
  const users = best.filter((entry) => !entry.profile.shipped);
  return ['system', ...(users.length > 0 ? users : best).map((entry) => entry.profile.name)];
}
