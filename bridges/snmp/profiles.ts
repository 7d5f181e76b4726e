/**
 * Ready-made sets of OIDs a device can name in `profiles`. Every OID was checked against the MIB
 * that defines it; bridges/snmp/README.md lists them with their MIB names and sources.
 */
import {
  columnSchema,
  getSchema,
  walkSchema,
  isShipped,
  type GenericOutlet,
  type UserProfileConfig,
  type ProfileName,
  type SnmpDeviceConfig,
  type SnmpGetConfig,
  type SnmpProfile,
  type SnmpWalkConfig,
} from './config.js';
import { APC_NOT_AVAILABLE, apcRpdu2Totals } from './profiles/apc-rpdu2.js';
import { eatonEpduOutlet, eatonEpduTotals } from './profiles/eaton-epdu.js';
import { raritanPxInlet, raritanPxOutlet } from './profiles/raritan-px.js';
import { sentry4Outlet, sentry4Totals } from './profiles/sentry4.js';
import type { WalkInput } from './profiles/types.js';

export interface ProfileItems {
  readonly gets: SnmpGetConfig[];
  readonly walks: SnmpWalkConfig[];
}

type Value = { scale?: number; rate?: boolean; type?: 'number' | 'string'; unavailable?: number[] };

// Defaults come from the config's own schemas: a profile's items are what a user could have written.
function get(oid: string, measurement: string, name: string, value: Value = {}): SnmpGetConfig {
  return getSchema.parse({ oid, measurement, name, ...value });
}

function column(oid: string, name: string, value: Value = {}): SnmpWalkConfig['columns'][number] {
  return columnSchema.parse({ oid, name, ...value });
}

// SNMPv2-MIB (RFC 3418): system = mib-2 1.
const SYSTEM = '1.3.6.1.2.1.1';
// IF-MIB (RFC 2863): ifEntry = interfaces(mib-2 2).ifTable(2).1; ifXEntry = ifMIB(mib-2 31).ifMIBObjects(1).ifXTable(1).1.
const IF_ENTRY = '1.3.6.1.2.1.2.2.1';
const IFX_ENTRY = '1.3.6.1.2.1.31.1.1.1';
// UCD-SNMP-MIB: ucdavis = enterprises 2021; memory 4, laTable 10 (laEntry 1), systemStats 11.
const UCD = '1.3.6.1.4.1.2021';
// PowerNet-MIB: rPDU2 = apc(318).products(1).hardware(1).26; rPDU2Outlet = rPDU2 9;
// rPDU2OutletMetered = rPDU2Outlet 4; rPDU2OutletMeteredStatusTable = rPDU2OutletMetered 3; entry 1.
const RPDU2_OUTLET_METERED_STATUS = '1.3.6.1.4.1.318.1.1.26.9.4.3.1';

function systemProfile(): ProfileItems {
  return {
    gets: [
      // sysUpTime is TimeTicks, hundredths of a second.
      get(`${SYSTEM}.3.0`, 'system', 'uptime_s', { scale: 0.01 }),
      get(`${SYSTEM}.5.0`, 'system', 'sys_name', { type: 'string' }),
    ],
    walks: [],
  };
}

/** v1 cannot carry Counter64, so v1 devices get the 32-bit octet counters instead of ifHC*. */
function ifMibProfile(device: SnmpDeviceConfig): ProfileItems {
  const v1 = device.version === '1';
  const rate = { rate: true };
  return {
    gets: [],
    walks: [
      {
        measurement: 'interface',
        indexTag: 'ifindex',
        tags: { interface: `${IF_ENTRY}.2` }, // ifDescr
        outlet: false,
        columns: [
          column(v1 ? `${IF_ENTRY}.10` : `${IFX_ENTRY}.6`, 'in_bytes_per_s', rate), // ifInOctets / ifHCInOctets
          column(v1 ? `${IF_ENTRY}.16` : `${IFX_ENTRY}.10`, 'out_bytes_per_s', rate), // ifOutOctets / ifHCOutOctets
          column(`${IF_ENTRY}.14`, 'in_errors_per_s', rate), // ifInErrors
          column(`${IF_ENTRY}.20`, 'out_errors_per_s', rate), // ifOutErrors
          column(`${IF_ENTRY}.13`, 'in_discards_per_s', rate), // ifInDiscards
          column(`${IF_ENTRY}.19`, 'out_discards_per_s', rate), // ifOutDiscards
          column(`${IF_ENTRY}.8`, 'oper_status'), // ifOperStatus: 1 up, 2 down, ...
        ],
      },
    ],
  };
}

function ucdProfile(): ProfileItems {
  const kib = { scale: 1024 }; // UCD memory objects are in kB (UNITS "kB", 1024 bytes)
  const ticks = { rate: true };
  return {
    gets: [
      // laLoadInt: the load average times 100, as an integer (laLoadFloat is an Opaque float).
      get(`${UCD}.10.1.5.1`, 'load', 'load1', { scale: 0.01 }),
      get(`${UCD}.10.1.5.2`, 'load', 'load5', { scale: 0.01 }),
      get(`${UCD}.10.1.5.3`, 'load', 'load15', { scale: 0.01 }),
      get(`${UCD}.4.5.0`, 'memory', 'total_bytes', kib), // memTotalReal
      get(`${UCD}.4.6.0`, 'memory', 'available_bytes', kib), // memAvailReal
      get(`${UCD}.4.14.0`, 'memory', 'buffer_bytes', kib), // memBuffer
      get(`${UCD}.4.15.0`, 'memory', 'cached_bytes', kib), // memCached
      get(`${UCD}.4.3.0`, 'memory', 'swap_total_bytes', kib), // memTotalSwap
      get(`${UCD}.4.4.0`, 'memory', 'swap_available_bytes', kib), // memAvailSwap
      // ssCpuRaw*: Counter32 of CPU ticks summed over all CPUs; their rates split CPU time.
      get(`${UCD}.11.50.0`, 'cpu', 'user_ticks_per_s', ticks),
      get(`${UCD}.11.51.0`, 'cpu', 'nice_ticks_per_s', ticks),
      get(`${UCD}.11.52.0`, 'cpu', 'system_ticks_per_s', ticks),
      get(`${UCD}.11.53.0`, 'cpu', 'idle_ticks_per_s', ticks),
      get(`${UCD}.11.54.0`, 'cpu', 'wait_ticks_per_s', ticks),
    ],
    walks: [],
  };
}

function outletWalk(outlet: GenericOutlet, unavailable: number[] = []): SnmpWalkConfig {
  const columns: SnmpWalkConfig['columns'] = [];
  const value = (spec: { scale: number }): Value => ({ scale: spec.scale, unavailable });
  if (outlet.current) columns.push(column(outlet.current.oid, 'current_a', value(outlet.current)));
  if (outlet.power) columns.push(column(outlet.power.oid, 'power_w', value(outlet.power)));
  if (outlet.energy) columns.push(column(outlet.energy.oid, 'energy_kwh', value(outlet.energy)));
  return {
    measurement: 'outlet',
    indexTag: 'outlet',
    tags: outlet.name ? { outlet_name: outlet.name } : {},
    outlet: true,
    columns,
  };
}

function apcRpdu2OutletProfile(): ProfileItems {
  const entry = RPDU2_OUTLET_METERED_STATUS;
  return {
    gets: [],
    walks: [
      outletWalk(
        {
          name: `${entry}.3`, // rPDU2OutletMeteredStatusName
          current: { oid: `${entry}.6`, scale: 0.1 }, // rPDU2OutletMeteredStatusCurrent, tenths of amps
          power: { oid: `${entry}.7`, scale: 1 }, // rPDU2OutletMeteredStatusPower, watts
          energy: { oid: `${entry}.11`, scale: 0.1 }, // rPDU2OutletMeteredStatusEnergy, tenths of kWh
        },
        APC_NOT_AVAILABLE,
      ),
    ],
  };
}

/** A profile written as data, its defaults filled by the config's own schema. */
function walksProfile(walks: readonly WalkInput[]): ProfileItems {
  return { gets: [], walks: walks.map((walk) => walkSchema.parse(walk)) };
}

/** The profiles written as data (`profiles/*.ts`), by name. */
const DATA_PROFILES: Partial<Record<ProfileName, readonly WalkInput[]>> = {
  'apc-rpdu2-totals': apcRpdu2Totals,
  'raritan-px-outlet': raritanPxOutlet,
  'raritan-px-inlet': raritanPxInlet,
  'eaton-epdu-outlet': eatonEpduOutlet,
  'eaton-epdu-totals': eatonEpduTotals,
  'sentry4-outlet': sentry4Outlet,
  'sentry4-totals': sentry4Totals,
};

/** Profiles of profileDirs by name (config.ts has checked every name a device gives). */
export type UserProfiles = Readonly<Record<string, UserProfileConfig>>;

export function expandProfile(
  profile: SnmpProfile,
  device: SnmpDeviceConfig,
  userProfiles: UserProfiles = {},
): ProfileItems {
  if (typeof profile !== 'string') return { gets: [], walks: [outletWalk(profile.outlet)] };
  if (profile === 'auto') return { gets: [], walks: [] }; // resolved by the poller from sysObjectID
  const user = userProfiles[profile];
  if (user) return { gets: user.gets, walks: user.walks };
  if (!isShipped(profile)) throw new Error(`SNMP profile ${profile} is not defined`);
  const data = DATA_PROFILES[profile];
  if (data) return walksProfile(data);
  switch (profile) {
    case 'system':
      return systemProfile();
    case 'if-mib':
      return ifMibProfile(device);
    case 'ucd':
      return ucdProfile();
    case 'apc-rpdu2-outlet':
      return apcRpdu2OutletProfile();
    default:
      throw new Error(`SNMP profile ${profile} has no definition`);
  }
}
