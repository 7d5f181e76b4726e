import { z } from 'zod';

export const fileTargetSchema = z
  .object({
    path: z.string().min(1).describe('File each notification is appended to, one JSON line each.'),
  })
  .strict();

export type FileTargetConfig = z.output<typeof fileTargetSchema>;
