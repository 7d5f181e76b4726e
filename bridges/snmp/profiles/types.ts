/** A profile's tables as data: the same shape a device's `walks` take in the config file. */
import type { z } from 'zod';
import type { walkSchema } from '../config.js';

export type WalkInput = z.input<typeof walkSchema>;
