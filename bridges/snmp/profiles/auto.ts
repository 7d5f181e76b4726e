/**
 * `profiles: [auto]`: the profiles a device gets from its sysObjectID (SNMPv2-MIB, 1.3.6.1.2.1.1.2.0),
 * read once when the device first answers. A vendor's agents report their product's OID under the
 * vendor's enterprise number, so the longest matching prefix wins.
 */
import type { ProfileName } from '../config.js';
import type { UserProfiles } from '../profiles.js';
import { APC_RPDU2_SYS_OBJECT_ID } from './apc-rpdu2.js';
import { EATON_EPDU_SYS_OBJECT_ID } from './eaton-epdu.js';
import { RARITAN_PX_SYS_OBJECT_ID } from './raritan-px.js';
import { SENTRY4_SYS_OBJECT_ID } from './sentry4.js';

export const SYS_OBJECT_ID = '1.3.6.1.2.1.1.2.0';

const BY_SYS_OBJECT_ID: readonly { prefix: string; profiles: ProfileName[] }[] = [
  { prefix: APC_RPDU2_SYS_OBJECT_ID, profiles: ['system', 'apc-rpdu2-outlet', 'apc-rpdu2-totals'] },
  { prefix: RARITAN_PX_SYS_OBJECT_ID, profiles: ['system', 'raritan-px-outlet', 'raritan-px-inlet'] },
  { prefix: EATON_EPDU_SYS_OBJECT_ID, profiles: ['system', 'eaton-epdu-outlet', 'eaton-epdu-totals'] },
  { prefix: SENTRY4_SYS_OBJECT_ID, profiles: ['system', 'sentry4-outlet', 'sentry4-totals'] },
];

/**
 * The profiles for `sysObjectId`, or undefined when none knows the device. The user's profiles
 * (profileDirs, with their `sysObjectIds`) and the shipped ones compete on prefix length; on a tie
 * the user's win, and all of the user's with that prefix are taken.
 */
export function profilesFor(sysObjectId: string, userProfiles: UserProfiles = {}): string[] | undefined {
  const oid = sysObjectId.replace(/^\./, '');
  const user = Object.values(userProfiles).flatMap((profile) =>
    profile.sysObjectIds.map((prefix) => ({ prefix, profiles: [profile.name] })),
  );
  const matches = [...user, ...BY_SYS_OBJECT_ID]
    .filter((entry) => oid === entry.prefix || oid.startsWith(`${entry.prefix}.`))
    .sort((a, b) => b.prefix.length - a.prefix.length);
  const best = matches[0];
  if (!best) return undefined;
  const userBest = user.filter((entry) => entry.prefix === best.prefix).flatMap((entry) => entry.profiles);
  return userBest.length > 0 ? ['system', ...userBest] : best.profiles;
}
