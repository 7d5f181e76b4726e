/**
 * ServerTech Sentry4 PDUs (PRO1, PRO2: Sentry4-MIB, sentry4 = 1.3.6.1.4.1.1718.4): outlets, input
 * cords, phases and branches. Tables are indexed by unit (the master 1, links 2–4), input cord and
 * the row's own index, which become tags `pdu`, `inlet` and `outlet`/`phase`/`branch`. Units as the
 * MIB's UNITS clauses give them: current in hundredths of an amp, voltage in tenths of a volt, power
 * in W and VA, power factor in hundredths; energy in Wh for an outlet but tenths of a kWh for cords
 * and phases. A reading the unit does not have is -1.
 *
 * OIDs below st4Objects (sentry4 1): inputCords 3, phases 5, branches 7, outlets 8; in each, the
 * config table is 2 and the monitor table 3.
 */
import type { WalkInput } from './types.js';

const ST4 = '1.3.6.1.4.1.1718.4.1';
/** Sentry4-MIB: -1 where a reading is not available. */
const NOT_AVAILABLE = [-1];

/** sysObjectID of Sentry4 PDUs: sentry4 itself. */
export const SENTRY4_SYS_OBJECT_ID = '1.3.6.1.4.1.1718.4';

type Column = WalkInput['columns'][number];
const column = (oid: string, name: string, scale = 1): Column => ({
  oid,
  name,
  scale,
  unavailable: NOT_AVAILABLE,
});

// st4OutletMonitorEntry: Current 3, Voltage 6, ActivePower 7, ApparentPower 9, PowerFactor 10, Energy 14.
const OUTLET = `${ST4}.8.3.1`;
export const sentry4Outlet: WalkInput[] = [
  {
    measurement: 'outlet',
    indexTags: ['pdu', 'inlet', 'outlet'],
    outlet: true,
    tags: { outlet_name: `${ST4}.8.2.1.3` }, // st4OutletName
    columns: [
      column(`${OUTLET}.3`, 'current_a', 0.01),
      column(`${OUTLET}.6`, 'voltage_v', 0.1),
      column(`${OUTLET}.7`, 'power_w'),
      column(`${OUTLET}.9`, 'apparent_power_va'),
      column(`${OUTLET}.10`, 'power_factor', 0.01),
      column(`${OUTLET}.14`, 'energy_kwh', 0.001), // Watt-Hours
    ],
  },
];

// st4InputCordMonitorEntry: ActivePower 3, ApparentPower 5, PowerFactor 8, Energy 10.
const CORD = `${ST4}.3.3.1`;
// st4PhaseMonitorEntry: Voltage 3, Current 6, ActivePower 8, ApparentPower 9, PowerFactor 10, Energy 13.
const PHASE = `${ST4}.5.3.1`;
// st4BranchMonitorEntry: Current 3.
const BRANCH = `${ST4}.7.3.1`;
export const sentry4Totals: WalkInput[] = [
  {
    measurement: 'inlet',
    indexTags: ['pdu', 'inlet'],
    tags: { inlet_name: `${ST4}.3.2.1.3` }, // st4InputCordName
    columns: [
      column(`${CORD}.3`, 'power_w'),
      column(`${CORD}.5`, 'apparent_power_va'),
      column(`${CORD}.8`, 'power_factor', 0.01),
      column(`${CORD}.10`, 'energy_kwh', 0.1),
    ],
  },
  {
    measurement: 'phase',
    indexTags: ['pdu', 'inlet', 'phase'],
    columns: [
      column(`${PHASE}.3`, 'voltage_v', 0.1),
      column(`${PHASE}.6`, 'current_a', 0.01),
      column(`${PHASE}.8`, 'power_w'),
      column(`${PHASE}.9`, 'apparent_power_va'),
      column(`${PHASE}.10`, 'power_factor', 0.01),
      column(`${PHASE}.13`, 'energy_kwh', 0.1),
    ],
  },
  {
    measurement: 'branch',
    indexTags: ['pdu', 'inlet', 'branch'],
    columns: [column(`${BRANCH}.3`, 'current_a', 0.01)],
  },
];
