/**
 * Profile files: YAML, in the shape of a device's `gets` and `walks` (OIDs by number or MIB name),
 * plus the sysObjectID prefixes `auto` chooses a profile for. A file holds one profile, or several
 * as YAML documents separated by `---` (a vendor's outlet and totals profiles, in the order `auto`
 * takes them):
 *
 *   name: acme-pdu-outlet
 *   sysObjectIds: [1.3.6.1.4.1.99999.2]
 *   walks:
 *     - { measurement: outlet, outlet: true, indexTags: [outlet], columns: [...] }
 *
 * The profiles busbar ships are such files (bridges/snmp/profiles/), read first and by the same
 * code; then the folders of `bridges.snmp.profileDirs`. Read when the config is read; a file that
 * is not YAML, does not fit the shape, uses an unknown MIB name or repeats a profile's name is a
 * config error naming the file and the place in it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { z } from 'zod';
import type { MibNames } from './mib-names.js';
import { resolveDeviceOids, type DeviceOids } from './resolve-oids.js';

/** The shipped profiles: next to this module, in the source tree and in dist (the build copies them). */
export const SHIPPED_PROFILES_DIR = fileURLToPath(new URL('./profiles/', import.meta.url));

export interface ProfileFile<Get = unknown, Walk = unknown> {
  readonly name: string;
  readonly file: string;
  /** One of busbar's own (SHIPPED_PROFILES_DIR), not the user's. */
  readonly shipped: boolean;
  readonly sysObjectIds: readonly string[];
  readonly gets: Get[];
  readonly walks: Walk[];
}

export interface ProfileProblem {
  readonly file: string;
  readonly message: string;
}

export interface ProfileFolder {
  readonly dir: string;
  readonly shipped?: boolean;
}

/** The profile files of `folders`, in order; `shape` is a profile's schema (config.ts). */
export function loadProfiles<
  Get extends DeviceOids['gets'][number],
  Walk extends DeviceOids['walks'][number],
>(
  folders: readonly ProfileFolder[],
  shape: z.ZodType<{ name: string; sysObjectIds: string[]; gets: Get[]; walks: Walk[] }>,
  taken: ReadonlySet<string>,
  names: () => MibNames,
): { profiles: Map<string, ProfileFile<Get, Walk>>; problems: ProfileProblem[] } {
  const profiles = new Map<string, ProfileFile<Get, Walk>>();
  const problems: ProfileProblem[] = [];
  for (const { dir, shipped = false } of folders) {
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
      const documents = parseAllDocuments(readFileSync(file, 'utf8'), { uniqueKeys: true });
      if (documents.length === 0) problems.push({ file, message: '(profile): the file is empty' });
      documents.forEach((document, d) => {
        // Several profiles in one file: say which one a problem is in.
        const at = documents.length > 1 ? `profile ${d + 1}: ` : '';
        const problem = (message: string) => problems.push({ file, message: `${at}${message}` });
        if (document.errors.length > 0) {
          for (const error of document.errors) problem(`not YAML: ${error.message.split('\n')[0]}`);
          return;
        }
        const parsed = shape.safeParse(document.toJS());
        if (!parsed.success) {
          for (const issue of parsed.error.issues)
            problem(`${issue.path.join('.') || '(profile)'}: ${issue.message}`);
          return;
        }
        const profile = parsed.data;
        const oidProblems = resolveDeviceOids(
          { gets: profile.gets, walks: profile.walks, profiles: [] },
          names,
        );
        for (const oidProblem of oidProblems) problem(`${oidProblem.path.join('.')}: ${oidProblem.message}`);
        if (oidProblems.length > 0) return;
        const earlier = profiles.get(profile.name);
        // Never an override: a user's profile that took a shipped one's name would change what
        // every device naming it polls, unseen. Both files are named so either can be renamed.
        const clash = taken.has(profile.name)
          ? 'busbar'
          : earlier && (earlier.shipped ? `busbar's shipped file ${earlier.file}` : earlier.file);
        if (clash !== undefined) {
          problem(`name: profile ${profile.name} is already defined by ${clash}`);
          return;
        }
        profiles.set(profile.name, { ...profile, file, shipped });
      });
    }
  }
  return { profiles, problems };
}
