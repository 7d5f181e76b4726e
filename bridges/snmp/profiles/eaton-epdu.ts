/**
 * Eaton ePDU G2/G3 (EATON-EPDU-MIB, eatonEpdu = 1.3.6.1.4.1.534.6.6.7): outlets, inputs, phases and
 * breaker groups. Every table is indexed by strappingIndex (the unit in a daisy chain, 0 for the
 * first) first, which becomes the tag `pdu`. Units as the MIB gives them: current in mA, voltage
 * in mV, power in W and VA, energy in Wh; so the scales turn them into A, V and kWh.
 *
 * OIDs below eatonEpdu: units 1 (unitEntry 1.2.1), inputs 3, groups 5, outlets 6.
 */
import type { WalkInput } from './types.js';

const EPDU = '1.3.6.1.4.1.534.6.6.7';
// outletEntry: outletName 3. outletVoltageEntry: outletVoltage 2. outletCurrentEntry: outletCurrent 3.
// outletPowerEntry: outletVA 2, outletWatts 3, outletWh 4. Index strappingIndex.outletIndex.
const OUTLET = `${EPDU}.6`;
// inputTotalPowerEntry (strappingIndex.inputIndex): inputTotalVA 3, inputTotalWatts 4, inputTotalWh 5.
const INPUT_TOTAL = `${EPDU}.3.5.1`;
// inputVoltageEntry 3.2.1: inputVoltage 3; inputCurrentEntry 3.3.1: inputCurrent 4
// (strappingIndex.inputIndex.inputVoltageIndex / inputCurrentIndex: one per phase).
const INPUT = `${EPDU}.3`;
// groupEntry 5.1.1: groupName 3; groupVoltageEntry 5.3.1: groupVoltage 3; groupCurrentEntry 5.4.1:
// groupCurrent 3; groupPowerEntry 5.5.1: groupVA 2, groupWatts 3, groupWh 4 (strappingIndex.groupIndex).
const GROUP = `${EPDU}.5`;

/** sysObjectID of Eaton ePDUs: eatonEpdu itself. */
export const EATON_EPDU_SYS_OBJECT_ID = EPDU;

const milli = 0.001; // mA → A, mV → V, Wh → kWh

export const eatonEpduOutlet: WalkInput[] = [
  {
    measurement: 'outlet',
    indexTags: ['pdu', 'outlet'],
    outlet: true,
    tags: { outlet_name: `${OUTLET}.1.1.3` },
    columns: [
      { oid: `${OUTLET}.4.1.3`, name: 'current_a', scale: milli },
      { oid: `${OUTLET}.3.1.2`, name: 'voltage_v', scale: milli },
      { oid: `${OUTLET}.5.1.3`, name: 'power_w' },
      { oid: `${OUTLET}.5.1.2`, name: 'apparent_power_va' },
      { oid: `${OUTLET}.5.1.4`, name: 'energy_kwh', scale: milli },
    ],
  },
];

export const eatonEpduTotals: WalkInput[] = [
  {
    measurement: 'inlet',
    indexTags: ['pdu', 'inlet'],
    columns: [
      { oid: `${INPUT_TOTAL}.4`, name: 'power_w' },
      { oid: `${INPUT_TOTAL}.3`, name: 'apparent_power_va' },
      { oid: `${INPUT_TOTAL}.5`, name: 'energy_kwh', scale: milli },
    ],
  },
  {
    measurement: 'phase',
    indexTags: ['pdu', 'inlet', 'phase'],
    columns: [
      { oid: `${INPUT}.3.1.4`, name: 'current_a', scale: milli },
      { oid: `${INPUT}.2.1.3`, name: 'voltage_v', scale: milli },
    ],
  },
  {
    // Eaton's "groups" are the breaker-protected sections APC calls banks.
    measurement: 'bank',
    indexTags: ['pdu', 'bank'],
    tags: { bank_name: `${GROUP}.1.1.3` },
    columns: [
      { oid: `${GROUP}.4.1.3`, name: 'current_a', scale: milli },
      { oid: `${GROUP}.3.1.3`, name: 'voltage_v', scale: milli },
      { oid: `${GROUP}.5.1.3`, name: 'power_w' },
      { oid: `${GROUP}.5.1.4`, name: 'energy_kwh', scale: milli },
    ],
  },
];
