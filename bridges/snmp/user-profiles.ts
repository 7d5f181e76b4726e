/**
 * Profiles of the user's own: one YAML file per profile in the folders `bridges.snmp.profileDirs`
 * names, in the shape of a device's `gets` and `walks` (OIDs by number or MIB name), plus the
 * sysObjectID prefixes `auto` chooses it for:
 *
 *   name: acme-pdu-outlet
 *   sysObjectIds: [1.3.6.1.4.1.99999.2]
 *   walks:
 *     - { measurement: outlet, outlet: true, indexTags: [outlet], columns: [...] }
 *
 * Read when the config is read; a file that is not YAML, does not fit the shape, uses an unknown
 * MIB name or repeats a profile's name is a config error naming the file and the place in it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import type { MibNames } from './mib-names.js';
import { resolveDeviceOids, type DeviceOids } from './resolve-oids.js';

export interface UserProfile<Get = unknown, Walk = unknown> {
  readonly name: string;
  readonly file: string;
  readonly sysObjectIds: readonly string[];
  readonly gets: Get[];
  readonly walks: Walk[];
}

export interface ProfileProblem {
  readonly file: string;
  readonly message: string;
}

/** Files of profileDirs read as profiles; `shape` is the profile file's schema (config.ts). */
export function loadUserProfiles<
  Get extends DeviceOids['gets'][number],
  Walk extends DeviceOids['walks'][number],
>(
  dirs: readonly string[],
  shape: z.ZodType<{ name: string; sysObjectIds: string[]; gets: Get[]; walks: Walk[] }>,
  taken: ReadonlySet<string>,
  names: () => MibNames,
): { profiles: Map<string, UserProfile<Get, Walk>>; problems: ProfileProblem[] } {
  const profiles = new Map<string, UserProfile<Get, Walk>>();
  const problems: ProfileProblem[] = [];
  for (const dir of dirs) {
    let files: string[];
    try {
      files = readdirSync(dir)
        .filter((file) => /\.ya?ml$/.test(file))
        .sort();
    } catch (error) {
      problems.push({
        file: dir,
        message: `cannot read the folder (${(error as NodeJS.ErrnoException).code})`,
      });
      continue;
    }
    for (const file of files.map((name) => path.join(dir, name))) {
      const document = parseDocument(readFileSync(file, 'utf8'), { uniqueKeys: true });
      if (document.errors.length > 0) {
        for (const error of document.errors)
          problems.push({ file, message: `not YAML: ${error.message.split('\n')[0]}` });
        continue;
      }
      const parsed = shape.safeParse(document.toJS());
      if (!parsed.success) {
        for (const issue of parsed.error.issues)
          problems.push({ file, message: `${issue.path.join('.') || '(profile)'}: ${issue.message}` });
        continue;
      }
      const profile = parsed.data;
      const oidProblems = resolveDeviceOids(
        { gets: profile.gets, walks: profile.walks, profiles: [] },
        names,
      );
      for (const problem of oidProblems)
        problems.push({ file, message: `${problem.path.join('.')}: ${problem.message}` });
      if (oidProblems.length > 0) continue;
      const clash = taken.has(profile.name) ? 'a shipped profile' : profiles.get(profile.name)?.file;
      if (clash !== undefined) {
        problems.push({ file, message: `name: profile ${profile.name} is already defined by ${clash}` });
        continue;
      }
      profiles.set(profile.name, { ...profile, file });
    }
  }
  return { profiles, problems };
}
