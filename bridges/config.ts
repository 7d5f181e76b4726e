/**
 * The `bridges` section of the config file: one optional key per bridge. A bridge that is not
 * configured is not started. Composed into config/schema.ts; each bridge's defaults live in its folder.
 */
import { z } from 'zod';
import { redisSchema } from './redis/config.js';
import { snmpSchema } from './snmp/config.js';

export const bridgesSchema = z
  .object({
    snmp: snmpSchema.optional(),
    redis: redisSchema.optional(),
  })
  .strict();

export type BridgesConfig = z.output<typeof bridgesSchema>;
