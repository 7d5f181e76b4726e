/**
 * APC Rack PDU 2G (PowerNet-MIB rPDU2, 1.3.6.1.4.1.318.1.1.26): the device totals, phases and banks
 * next to the outlets of `apc-rpdu2-outlet`. Units as the MIB gives them: power in hundredths of a
 * kW (× 10 → W), current in tenths of an amp, energy in tenths of a kWh, power factor in hundredths.
 */
import type { WalkInput } from './types.js';

const RPDU2 = '1.3.6.1.4.1.318.1.1.26';
// rPDU2DeviceStatusEntry: Name 3, Power 5, Energy 9, ApparentPower 16, PowerFactor 17.
const DEVICE = `${RPDU2}.4.3.1`;
// rPDU2PhaseStatusEntry: Current 5, Voltage 6, Power 7.
const PHASE = `${RPDU2}.6.3.1`;
// rPDU2BankStatusEntry: Current 5.
const BANK = `${RPDU2}.8.3.1`;

/**
 * PowerNet-MIB answers -1 where a reading does not exist on the model or is not available yet (a
 * phase's voltage on some AP86xx, the power factor before the first measurement): not a value.
 */
export const APC_NOT_AVAILABLE = [-1];

/** sysObjectID of a Rack PDU 2G: apc.products.system(3).rPDU(4).rPDU2(5). */
export const APC_RPDU2_SYS_OBJECT_ID = '1.3.6.1.4.1.318.1.3.4.5';

export const apcRpdu2Totals: WalkInput[] = [
  {
    measurement: 'pdu',
    indexTags: ['pdu'],
    tags: { pdu_name: `${DEVICE}.3` },
    columns: [
      { oid: `${DEVICE}.5`, name: 'power_w', scale: 10, unavailable: APC_NOT_AVAILABLE },
      { oid: `${DEVICE}.9`, name: 'energy_kwh', scale: 0.1, unavailable: APC_NOT_AVAILABLE },
      { oid: `${DEVICE}.16`, name: 'apparent_power_va', scale: 10, unavailable: APC_NOT_AVAILABLE },
      { oid: `${DEVICE}.17`, name: 'power_factor', scale: 0.01, unavailable: APC_NOT_AVAILABLE },
    ],
  },
  {
    measurement: 'phase',
    indexTags: ['phase'],
    columns: [
      { oid: `${PHASE}.5`, name: 'current_a', scale: 0.1, unavailable: APC_NOT_AVAILABLE },
      { oid: `${PHASE}.6`, name: 'voltage_v', unavailable: APC_NOT_AVAILABLE },
      { oid: `${PHASE}.7`, name: 'power_w', scale: 10, unavailable: APC_NOT_AVAILABLE },
    ],
  },
  {
    measurement: 'bank',
    indexTags: ['bank'],
    columns: [{ oid: `${BANK}.5`, name: 'current_a', scale: 0.1, unavailable: APC_NOT_AVAILABLE }],
  },
];
