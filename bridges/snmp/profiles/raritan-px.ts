/**
 * Raritan PX2/PX3 (and other PDU2-MIB devices: PX4, PXE, EMX): inlets and outlets. PDU2-MIB keeps
 * every reading of an outlet in one column, `measurementsOutletSensorValue`, indexed by
 * pduId.outletId.sensorType, as an unsigned integer whose decimal places are in
 * `outletSensorDecimalDigits` at the same index (current 1.234 A is 1234 with 3 digits). So each
 * field takes the instances of one sensor type (`indexSuffix`), divides by 10^digits, and the row
 * index that is left, pduId.outletId, becomes the tags `pdu` and `outlet`. Sensor types
 * (SensorTypeEnumeration): rmsCurrent 1, rmsVoltage 4, activePower 5, apparentPower 6,
 * powerFactor 7, activeEnergy 8 (watt-hours).
 *
 * OIDs, below raritan(13742).pdu2(6): configuration 3 (inlets 3.3, outlets 3.5), measurements 5.
 */
import type { WalkInput } from './types.js';

const RARITAN = '1.3.6.1.4.1.13742.6';
// outletConfigurationEntry: outletLabel 2, outletName 3 (index pduId.outletId).
const OUTLET_NAME = `${RARITAN}.3.5.3.1.3`;
// outletSensorConfigurationEntry 7 / inletSensorConfigurationEntry 7: *SensorDecimalDigits.
const OUTLET_DIGITS = `${RARITAN}.3.5.4.1.7`;
const INLET_DIGITS = `${RARITAN}.3.3.4.1.7`;
// measurementsOutletSensorEntry 4 / measurementsInletSensorEntry 4: *SensorValue.
const OUTLET_VALUE = `${RARITAN}.5.4.3.1.4`;
const INLET_VALUE = `${RARITAN}.5.2.3.1.4`;

/** sysObjectID of PDU2-MIB agents: raritan.pdu2 itself. */
export const RARITAN_PX_SYS_OBJECT_ID = RARITAN;

function sensorColumns(value: string, digits: string): WalkInput['columns'] {
  const sensor = (name: string, type: number, scale = 1): WalkInput['columns'][number] => ({
    oid: value,
    name,
    indexSuffix: String(type),
    digits,
    scale,
  });
  return [
    sensor('current_a', 1),
    sensor('voltage_v', 4),
    sensor('power_w', 5),
    sensor('apparent_power_va', 6),
    sensor('power_factor', 7),
    sensor('energy_kwh', 8, 0.001), // activeEnergy is in watt-hours
  ];
}

export const raritanPxOutlet: WalkInput[] = [
  {
    measurement: 'outlet',
    indexTags: ['pdu', 'outlet'],
    outlet: true,
    tags: { outlet_name: OUTLET_NAME },
    columns: sensorColumns(OUTLET_VALUE, OUTLET_DIGITS),
  },
];

export const raritanPxInlet: WalkInput[] = [
  {
    measurement: 'inlet',
    indexTags: ['pdu', 'inlet'],
    columns: sensorColumns(INLET_VALUE, INLET_DIGITS),
  },
];
