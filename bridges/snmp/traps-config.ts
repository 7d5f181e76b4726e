/** The `bridges.snmp.traps` section: where the trap receiver listens and whom it accepts. */
import { z } from 'zod';
import { usmUserSchema } from './usm-config.js';

export const trapsSchema = z
  .object({
    address: z.string().min(1).default('0.0.0.0').describe('Address the trap receiver listens on (UDP).'),
    port: z
      .number()
      .int()
      .min(1)
      .max(65535)
      .default(162)
      .describe('UDP port of the trap receiver (162 needs privileges: map it, or use another).'),
    communities: z
      .array(z.string().min(1))
      .min(1)
      .default(['public'])
      .describe('Communities accepted in v1 and v2c traps; others are refused and counted. Never logged.'),
    users: z
      .array(usmUserSchema)
      .default([])
      .describe(
        "USM users accepted in SNMPv3 traps (the sender's engine ID localizes their keys). Keys are never logged.",
      ),
  })
  .strict()
  .describe(
    'SNMP trap receiver (v1, v2c, v3, informs): each trap becomes a JSON event on <base>/events/<device> and a `trap` metric alarm rules can match.',
  );

export type SnmpTrapsConfig = z.output<typeof trapsSchema>;
