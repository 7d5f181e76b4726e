import { z } from 'zod';

export const logTargetSchema = z
  .object({
    level: z.enum(['info', 'warn', 'error']).default('info').describe('pino level of the line.'),
  })
  .strict();

export type LogTargetConfig = z.output<typeof logTargetSchema>;
