/**
 * A received trap as busbar's event: which trap (its OID and, when a loaded MIB defines it, its
 * name), from which device, when, with its variable bindings. SNMPv1 traps carry enterprise,
 * generic and specific trap numbers instead of a trap OID; RFC 3584 §3.1 maps them to one
 * (a generic trap n to snmpTraps.(n+1), an enterprise-specific one to enterprise.0.specific), so
 * a rule matches a v1 and a v2c trap of the same kind alike.
 */
import * as snmp from 'net-snmp';
import type { MibNames } from './mib-names.js';
import type { Varbind } from './values.js';
import { readVarbind } from './values.js';

export interface TrapEvent {
  readonly device: string;
  /** Address the trap came from. */
  readonly address: string;
  readonly version: '1' | '2c' | '3';
  readonly inform: boolean;
  readonly trap: { readonly oid: string; readonly name?: string };
  /** sysUpTime of the agent when it sent the trap, in seconds. */
  readonly uptimeS?: number;
  readonly varbinds: readonly { oid: string; name?: string; value: number | string }[];
  /** When busbar received it (ISO 8601). */
  readonly at: string;
}

/** The pdu and sender net-snmp's receiver hands over (with `includeAuthentication`). */
export interface ReceivedTrap {
  readonly pdu: {
    readonly type: number;
    readonly varbinds: Varbind[];
    readonly enterprise?: string;
    readonly agentAddr?: string;
    readonly generic?: number;
    readonly specific?: number;
    readonly upTime?: number;
    readonly community?: string;
    readonly user?: string;
  };
  readonly rinfo: { readonly address: string };
}

const SYS_UPTIME = '1.3.6.1.2.1.1.3.0';
const SNMP_TRAP_OID = '1.3.6.1.6.3.1.1.4.1.0';
/** snmpTraps (SNMPv2-MIB): coldStart is snmpTraps.1, the v1 generic trap 0. */
const SNMP_TRAPS = '1.3.6.1.6.3.1.1.5';
const ENTERPRISE_SPECIFIC = 6;

/** The event of a trap; `deviceOf` names the device from the sender's addresses. */
export function trapEvent(
  received: ReceivedTrap,
  deviceOf: (addresses: string[]) => string,
  names: MibNames | undefined,
  at = new Date(),
): TrapEvent {
  const { pdu, rinfo } = received;
  const named = (oid: string) => {
    const name = names?.nameOf(oid);
    return name === undefined ? { oid } : { oid, name };
  };
  const value = (varbind: Varbind): number | string => {
    const reading = readVarbind(varbind);
    return reading.kind === 'number' ? reading.value : reading.text;
  };
  let trapOid: string;
  let uptimeS: number | undefined;
  let varbinds = pdu.varbinds;
  const addresses = [rinfo.address];
  if (pdu.type === snmp.PduType.Trap) {
    trapOid =
      pdu.generic === ENTERPRISE_SPECIFIC
        ? `${pdu.enterprise}.0.${pdu.specific}`
        : `${SNMP_TRAPS}.${(pdu.generic ?? 0) + 1}`;
    uptimeS = pdu.upTime === undefined ? undefined : pdu.upTime / 100;
    if (pdu.agentAddr && pdu.agentAddr !== '0.0.0.0') addresses.push(pdu.agentAddr);
  } else {
    // SNMPv2-Trap-PDU and InformRequest: sysUpTime.0 and snmpTrapOID.0 come first (RFC 3416 §4.2.6).
    const uptime = varbinds.find((v) => v.oid === SYS_UPTIME);
    const oid = varbinds.find((v) => v.oid === SNMP_TRAP_OID);
    trapOid = typeof oid?.value === 'string' ? oid.value : 'unknown';
    uptimeS = typeof uptime?.value === 'number' ? uptime.value / 100 : undefined;
    varbinds = varbinds.filter((v) => v.oid !== SYS_UPTIME && v.oid !== SNMP_TRAP_OID);
  }
  const version = pdu.type === snmp.PduType.Trap ? '1' : pdu.user !== undefined ? '3' : '2c';
  return {
    device: deviceOf(addresses),
    address: rinfo.address,
    version,
    inform: pdu.type === snmp.PduType.InformRequest,
    trap: named(trapOid),
    ...(uptimeS !== undefined && { uptimeS }),
    varbinds: varbinds
      .filter((varbind) => !snmp.isVarbindError(varbind))
      .map((varbind) => ({ ...named(varbind.oid), value: value(varbind) })),
    at: at.toISOString(),
  };
}
