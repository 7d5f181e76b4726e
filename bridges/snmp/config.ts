/**
 * The `bridges.snmp` section of the config file: devices, how to reach them, and what to read from
 * them. Composed into config/schema.ts (the one description of the file); every default is here.
 */
import { z } from 'zod';
import { duration } from '../../config/duration.js';
import { MIB_NAME, mibNames } from './mib-names.js';
import { trapsSchema } from './traps-config.js';
import { requireUsmKeys, usmUser } from './usm-config.js';
import { resolveDeviceOids } from './resolve-oids.js';
import { loadProfiles, SHIPPED_PROFILES_DIR, type ProfileFile } from './profile-files.js';

const OID_PATTERN = /^\.?[0-2](\.\d+)+$/;

/**
 * A numeric OID or a MIB name (`IF-MIB::ifHCInOctets`, `SNMPv2-MIB::sysUpTime.0`). Names are
 * resolved to numbers once the whole section is read (`mibDirs`): the parsed config holds numbers only.
 */
export const oidSchema = z
  .string()
  .refine(
    (oid) => OID_PATTERN.test(oid) || MIB_NAME.test(oid),
    'a numeric OID such as 1.3.6.1.2.1.1.3.0, or a MIB name such as IF-MIB::ifHCInOctets',
  )
  .transform((oid) => (oid.startsWith('.') ? oid.slice(1) : oid));

/** Measurement, field and tag names: line protocol can carry more, but topics and rules read these. */
const name = z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/, 'letters, digits, _ . - (not first)');

const valueOptions = {
  scale: z
    .number()
    .default(1)
    .describe('Multiplier applied to the value (0.1: tenths of amps to amps). Ignored for strings.'),
  rate: z
    .boolean()
    .default(false)
    .describe('Publish the per-second rate of a counter instead of its value (wraps handled).'),
  type: z
    .enum(['number', 'string'])
    .default('number')
    .describe('`number`: a float field; `string`: the text as a string field.'),
  unavailable: z
    .array(z.number())
    .default([])
    .describe(
      'Raw values that mean "no reading" (APC and ServerTech send -1): never published, counted as `unavailable`.',
    ),
};

export const getSchema = z
  .object({
    oid: oidSchema.describe('Instance OID to GET, e.g. 1.3.6.1.2.1.1.3.0.'),
    name: name.describe('Field name.'),
    measurement: name.default('snmp').describe('Measurement the field goes to.'),
    ...valueOptions,
  })
  .strict();

export const columnSchema = z
  .object({
    oid: oidSchema.describe('Column OID (without the row index), e.g. 1.3.6.1.2.1.2.2.1.10.'),
    name: name.describe('Field name.'),
    ...valueOptions,
    indexSuffix: z
      .string()
      .regex(/^\d+(\.\d+)*$/, 'sub-identifiers such as 5 or 1.5')
      .optional()
      .describe(
        'Take only the instances whose index ends in these sub-identifiers, and drop them from the row index (PDU2-MIB sensor type: 5 = active power).',
      ),
    digits: oidSchema
      .optional()
      .describe(
        'Column holding, at the same index, the number of decimal digits of each value: the value is divided by 10^digits before `scale`.',
      ),
    multiplyBy: oidSchema
      .optional()
      .describe(
        'Column whose value at the same index multiplies this one before `scale` (HOST-RESOURCES-MIB hrStorageAllocationUnits: units to bytes).',
      ),
    divideBy: oidSchema
      .optional()
      .describe(
        'Column whose value at the same index divides this one before `scale` (used / size); where it is 0 nothing is published (counted as `unavailable`).',
      ),
    oidV1: oidSchema
      .optional()
      .describe(
        'Column read instead of `oid` over SNMPv1, which cannot carry Counter64 (IF-MIB ifInOctets for ifHCInOctets).',
      ),
  })
  .strict();

export const walkSchema = z
  .object({
    measurement: name.describe('Measurement of the rows.'),
    indexTag: name.default('index').describe("Tag that carries each row's index (without `indexTags`)."),
    indexTags: z
      .array(z.union([name, z.literal('-')]))
      .min(1)
      .optional()
      .describe(
        'A multi-part row index as tags, one name per sub-identifier (`-` skips one): [pdu, outlet]. A row whose index has another length is an error, not a metric.',
      ),
    indexLength: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe(
        'Sub-identifiers of a row index (after `indexSuffix`); a row with another length is an error. Default: the length of `indexTags`; 1 for outlet walks.',
      ),
    columns: z.array(columnSchema).min(1).describe('Columns that become fields.'),
    tags: z
      .record(name, oidSchema)
      .default({})
      .describe('Columns whose text becomes a tag: tag name → column OID.'),
    outlet: z
      .boolean()
      .default(false)
      .describe("Rows are PDU outlets: each row gets the `machine` tag from the device's `outlets`."),
  })
  .strict()
  .superRefine((walk, ctx) => {
    if (walk.indexTags && walk.indexLength !== undefined && walk.indexTags.length !== walk.indexLength) {
      ctx.addIssue({
        code: 'custom',
        path: ['indexLength'],
        message: `${walk.indexLength} does not match the ${walk.indexTags.length} indexTags`,
      });
    }
  });

const outletColumn = z
  .object({
    oid: oidSchema.describe('Column OID.'),
    scale: z.number().default(1).describe('Multiplier to amps, watts or kWh.'),
  })
  .strict();

/** The generic outlet profile: any PDU's outlet table, given its column OIDs. */
const genericOutletSchema = z
  .object({
    outlet: z
      .object({
        name: oidSchema.optional().describe('Column holding the outlet name (becomes tag `outlet_name`).'),
        current: outletColumn.optional().describe('Current column; field `current_a`.'),
        power: outletColumn.optional().describe('Active power column; field `power_w`.'),
        energy: outletColumn.optional().describe('Energy column; field `energy_kwh`.'),
      })
      .strict()
      .refine((o) => o.current || o.power || o.energy, 'give at least one of current, power, energy')
      .describe('Column OIDs of the outlet table; the row index becomes tag `outlet`.'),
  })
  .strict()
  .describe('Generic PDU outlet table (measurement `outlet`).');

/**
 * `auto` (chosen from the device's sysObjectID: bridges/snmp/profiles/auto.ts), the generic outlet
 * table, or the name of a profile: shipped (bridges/snmp/profiles/) or in a file of `profileDirs`
 * (checked once they are read).
 */
const profileSchema = z.union([
  z.literal('auto'),
  genericOutletSchema,
  name.describe('The name of a shipped profile or of one in a file of profileDirs.'),
]);

/** A profile in a file: shipped or of `profileDirs` (bridges/snmp/profile-files.ts). */
export const profileFileSchema = z
  .object({
    name: name.describe('Profile name, as devices list it in `profiles`.'),
    sysObjectIds: z
      .array(z.string().regex(OID_PATTERN, 'a numeric OID'))
      .default([])
      .describe('sysObjectID prefixes `auto` chooses this profile for.'),
    gets: z.array(getSchema).default([]),
    walks: z.array(walkSchema).default([]),
  })
  .strict()
  .refine((profile) => profile.gets.length + profile.walks.length > 0, 'give gets or walks');

export type ProfileConfig = ProfileFile<SnmpGetConfig, SnmpWalkConfig>;

const v3Schema = z
  .object({
    ...usmUser,
    context: z
      .string()
      .default('')
      .describe('Context name, for agents that serve several (a proxy, a chassis of PDUs, snmpsim).'),
  })
  .strict()
  .superRefine(requireUsmKeys);

/** Why `pattern` cannot name machines, or undefined when it can. */
function machinePatternProblem(pattern: string): string | undefined {
  let regex: RegExp;
  try {
    regex = new RegExp(pattern);
  } catch (error) {
    return `not a regular expression: ${(error as Error).message}`;
  }
  return /\(\?<machine>/.test(regex.source) ? undefined : 'needs a named group (?<machine>...)';
}

export const snmpDeviceSchema = z
  .object({
    name: name.describe('Device name: the source of its metrics and its status topic.'),
    host: z.string().min(1).describe('Host name or address.'),
    port: z.number().int().min(1).max(65535).default(161).describe('UDP port of the agent.'),
    version: z.enum(['1', '2c', '3']).default('2c').describe('SNMP version.'),
    community: z.string().default('public').describe('Community (v1, v2c). Never logged.'),
    v3: v3Schema.optional().describe('User-based security (required for version 3). Keys are never logged.'),
    timeout: duration.prefault('2s').describe('Wait for each response at most this long.'),
    retries: z.number().int().min(0).max(10).default(1).describe('Resends after a timeout.'),
    interval: duration
      .refine((ms) => ms >= 100, 'at least 100ms')
      .prefault('60s')
      .describe('How often the device is polled.'),
    maxRepetitions: z
      .number()
      .int()
      .min(1)
      .max(200)
      .default(20)
      .describe('Rows of each column per GETBULK when walking (v2c, v3).'),
    maxVarbinds: z
      .number()
      .int()
      .min(1)
      .max(128)
      .default(16)
      .describe(
        'OIDs per GET, and table columns per GETNEXT (v1) or GETBULK (v2c, v3) when walking, at most; over v1, also the rows known from the last walk asked per GETNEXT. An agent that answers tooBig gets fewer.',
      ),
    profiles: z
      .array(profileSchema)
      .default([])
      .describe('Ready-made sets of OIDs (see bridges/snmp/README.md).'),
    gets: z.array(getSchema).default([]).describe('Scalar values to GET.'),
    walks: z.array(walkSchema).default([]).describe('Tables to walk; each row becomes one metric.'),
    tags: z.record(name, z.string()).default({}).describe('Tags added to every metric of the device.'),
    outlets: z
      .record(z.string().regex(/^\d+(\.\d+)*$/, 'an outlet row index'), z.string().min(1))
      .default({})
      .describe('Which machine each outlet feeds: outlet row index → machine (tag `machine`).'),
    machineFromName: z
      .string()
      .optional()
      .describe(
        "Regular expression on an outlet's name whose group `machine` names the machine it feeds: `^(?<machine>.+)-psu[0-9AB]+$`. `outlets` wins.",
      ),
  })
  .strict()
  .superRefine((device, ctx) => {
    if (device.version === '3' && device.v3 === undefined) {
      ctx.addIssue({ code: 'custom', path: ['v3'], message: 'required when version is 3' });
    }
    if (device.version !== '3' && device.v3 !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['v3'], message: 'only used with version 3' });
    }
    if (device.machineFromName !== undefined) {
      const problem = machinePatternProblem(device.machineFromName);
      if (problem) ctx.addIssue({ code: 'custom', path: ['machineFromName'], message: problem });
    }
  });

export const snmpSchema = z
  .object({
    concurrency: z
      .number()
      .int()
      .min(1)
      .default(8)
      .describe('Devices polled at the same time at most; a slow device holds one slot only.'),
    statsInterval: duration.prefault('10s').describe('How often <base>/stats/snmp is republished.'),
    mibDirs: z
      .array(z.string().min(1))
      .default([])
      .describe(
        'Folders of MIB files (a vendor MIB each) whose names OIDs may use, besides the MIBs net-snmp ships (SNMPv2-MIB, IF-MIB, RFC1213-MIB).',
      ),
    profileDirs: z
      .array(z.string().min(1))
      .default([])
      .describe(
        'Folders of profile files (YAML) devices can name in `profiles`, read after the shipped ones.',
      ),
    devices: z.array(snmpDeviceSchema).min(1).describe('The devices to poll.'),
    traps: trapsSchema.optional(),
  })
  .strict()
  .superRefine((snmp, ctx) => {
    const seen = new Set<string>();
    snmp.devices.forEach((device, index) => {
      if (seen.has(device.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['devices', index, 'name'],
          message: `device "${device.name}" is defined twice`,
        });
      }
      seen.add(device.name);
    });
  })
  .transform((snmp, ctx) => {
    const names = () => mibNames(snmp.mibDirs);
    const issue = (path: (string | number)[], message: string) =>
      ctx.issues.push({ code: 'custom', input: snmp, path, message });
    let failed = false;
    snmp.devices.forEach((device, index) => {
      for (const problem of resolveDeviceOids(device, names)) {
        failed = true;
        issue(['devices', index, ...problem.path], problem.message);
      }
    });
    const loaded = loadProfiles(
      [{ dir: SHIPPED_PROFILES_DIR, shipped: true }, ...snmp.profileDirs.map((dir) => ({ dir }))],
      profileFileSchema,
      new Set(['auto']),
      names,
    );
    for (const problem of loaded.problems) issue(['profileDirs'], `${problem.file}: ${problem.message}`);
    const shipped = [...loaded.profiles.values()].filter((p) => p.shipped).map((p) => p.name);
    snmp.devices.forEach((device, index) =>
      device.profiles.forEach((profile, p) => {
        if (typeof profile !== 'string' || profile === 'auto' || loaded.profiles.has(profile)) return;
        issue(
          ['devices', index, 'profiles', p],
          `unknown profile ${profile}: not shipped (${shipped.join(', ')}) and in no file of profileDirs`,
        );
      }),
    );
    // A MIB file that does not parse matters only if a name was then not found: it is named then.
    if (failed || loaded.problems.length > 0)
      for (const problem of names().problems) issue(['mibDirs'], problem);
    const profiles: Profiles = Object.fromEntries(loaded.profiles);
    return { ...snmp, profiles };
  })
  .describe('SNMP bridge: polls devices (PDUs, switches, hosts) and publishes their metrics.');

/** Every profile a device can name, shipped and the user's, by name. */
export type Profiles = Readonly<Record<string, ProfileConfig>>;

export type SnmpConfig = z.output<typeof snmpSchema>;
export type SnmpDeviceConfig = z.output<typeof snmpDeviceSchema>;
export type SnmpGetConfig = z.output<typeof getSchema>;
export type SnmpWalkConfig = z.output<typeof walkSchema>;
export type SnmpProfile = z.output<typeof profileSchema>;
export type GenericOutlet = z.output<typeof genericOutletSchema>['outlet'];
