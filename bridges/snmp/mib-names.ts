/**
 * OIDs by MIB name: `IF-MIB::ifHCInOctets` or, for an instance, `SNMPv2-MIB::sysUpTime.0`, turned
 * into numbers with net-snmp's module store. The store holds the MIBs net-snmp ships (SNMPv2-SMI,
 * SNMPv2-MIB, IF-MIB, RFC1213-MIB, …) plus every file of the folders `bridges.snmp.mibDirs` names
 * (a vendor's PowerNet-MIB, EATON-EPDU-MIB, …). Names are resolved when the config is read, so an
 * unknown one is a config error naming it and where it was written, before any device is polled.
 */
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { format } from 'node:util';
import * as snmp from 'net-snmp';

/** `MODULE::object` with an optional instance suffix of sub-identifiers. */
export const MIB_NAME = /^([A-Za-z][A-Za-z0-9-]*)::([A-Za-z][A-Za-z0-9-]*)((?:\.\d+)*)$/;

/** What busbar uses of net-snmp's ModuleStore (its type definitions declare it `any`). */
interface ModuleStore {
  loadFromFile(file: string): void;
  getModuleNames(includeBase?: boolean): string[];
  getModule(name: string): Record<string, unknown> | undefined;
  translate(name: string, format: string): string;
}

export interface MibNames {
  /** The numeric OID of `name`, or why there is none. */
  resolve(name: string): { oid: string } | { error: string };
  /**
   * The MIB name of a numeric OID (`SNMPv2-MIB::sysUpTime.0`): the longest prefix the MIBs define,
   * with the rest as the instance suffix; undefined when no MIB defines any prefix below enterprises.
   */
  nameOf(oid: string): string | undefined;
  /** Files of the MIB folders that could not be read or parsed. */
  readonly problems: readonly string[];
}

// One store per set of folders: parsing MIB files costs tens of milliseconds each, and a config is
// read more than once (validation, then the components).
const stores = new Map<string, MibNames>();

export function mibNames(dirs: readonly string[]): MibNames {
  const key = dirs.join('\0');
  let names = stores.get(key);
  if (!names) stores.set(key, (names = loadMibNames(dirs)));
  return names;
}

/** The MIB files net-snmp ships; createModuleStore() loads only the SMI and SNMPv2-MIB of them. */
const SHIPPED = path.join(path.dirname(createRequire(import.meta.url).resolve('net-snmp')), 'lib', 'mibs');

function loadMibNames(dirs: readonly string[]): MibNames {
  const store = snmp.createModuleStore() as ModuleStore;
  const base = new Set(store.getModuleNames(true));
  const problems: string[] = [];
  for (const dir of [SHIPPED, ...dirs]) {
    let files: string[];
    try {
      files = readdirSync(dir).filter(
        (file) => !file.startsWith('.') && !(dir === SHIPPED && base.has(path.parse(file).name)),
      );
    } catch (error) {
      problems.push(`MIB folder ${dir}: ${(error as Error).message}`);
      continue;
    }
    // MIBs import each other: loading in name order can fail where a module needs one loaded
    // later, so the failures are retried while each pass loads at least one more.
    let pending = files.sort().map((file) => path.join(dir, file));
    for (let loaded = true; loaded && pending.length > 0;) {
      const failed: string[] = [];
      const reasons = new Map<string, string>();
      for (const file of pending) {
        const reason = loadFile(store, file);
        if (reason !== undefined) {
          failed.push(file);
          reasons.set(file, reason);
        }
      }
      loaded = failed.length < pending.length;
      pending = failed;
      if (!loaded) for (const file of failed) problems.push(`MIB file ${file}: ${reasons.get(file)}`);
    }
  }
  const modules = new Set(store.getModuleNames(true));
  return {
    problems,
    nameOf(oid) {
      const parts = oid.replace(/^\./, '').split('.');
      // Stop above enterprises (1.3.6.1.4.1): naming a vendor's OID `enterprises.318…` says nothing.
      for (let length = parts.length; length > 7; length--) {
        try {
          const name = store.translate(parts.slice(0, length).join('.'), snmp.OidFormat.module);
          const suffix = parts.slice(length);
          return suffix.length > 0 ? `${name}.${suffix.join('.')}` : name;
        } catch {
          // No MIB defines this prefix: try a shorter one.
        }
      }
      return undefined;
    },
    resolve(name) {
      const match = MIB_NAME.exec(name);
      if (!match) return { error: `not a MIB name (MODULE::object): ${name}` };
      const [, module, object, instance] = match;
      if (!modules.has(module!))
        return {
          error: `unknown MIB module ${module} in ${name} (put its file in a folder of bridges.snmp.mibDirs)`,
        };
      try {
        return { oid: `${store.translate(`${module}::${object}`, snmp.OidFormat.oid)}${instance}` };
      } catch {
        // translate() throws for a name it has no entry for: that is the answer.
        return { error: `unknown MIB object ${object} in module ${module} (${name})` };
      }
    },
  };
}

/**
 * Loads one MIB file; undefined when it added a module, else why not. net-snmp's parser reports
 * most syntax errors on the console and carries on rather than throwing, so its messages are taken
 * from there while it runs, and a file that added no module is a failure.
 */
function loadFile(store: ModuleStore, file: string): string | undefined {
  const before = new Set(store.getModuleNames(true));
  const said: string[] = [];
  const saved = { log: console.log, warn: console.warn, error: console.error };
  const collect = (...args: unknown[]): void => void said.push(format(...args));
  Object.assign(console, { log: collect, warn: collect, error: collect });
  try {
    store.loadFromFile(file);
  } catch (error) {
    said.push((error as Error).message);
  } finally {
    Object.assign(console, saved);
  }
  // A file the parser gave up on still leaves its module's name, with nothing in it.
  const added = store
    .getModuleNames(true)
    .filter((module) => !before.has(module) && Object.keys(store.getModule(module) ?? {}).length > 0);
  if (added.length > 0) return undefined;
  return said.join('; ') || 'no MIB object could be read from it';
}
