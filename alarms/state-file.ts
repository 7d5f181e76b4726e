/**
 * Alarm state kept across restarts in a small JSON file, so that a restart neither forgets a firing
 * alarm nor announces every alarm again. Written whole to a temporary file and renamed, so a crash
 * mid-write leaves the previous state, never half a file.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import type { AlarmInstance } from './alarm.js';

const VERSION = 1;

const instanceSchema = z.object({
  rule: z.string(),
  series: z.string(),
  labels: z.object({
    source: z.string(),
    measurement: z.string(),
    field: z.string(),
    tags: z.record(z.string(), z.string()),
  }),
  state: z.enum(['inactive', 'pending', 'firing', 'resolved']),
  since: z.number(),
  value: z.number().optional(),
  eta: z.number().optional(),
  baseline: z.object({ mean: z.number(), sigma: z.number() }).optional(),
  condition: z.enum(['breach', 'band', 'recovered']),
  conditionSince: z.number().optional(),
  lastSeen: z.number(),
  firedAt: z.number().optional(),
});

const fileSchema = z.object({ version: z.literal(VERSION), alarms: z.array(instanceSchema) });

/** The saved instances; none when there is no file yet. A damaged file throws (the caller logs it). */
export async function loadAlarmState(path: string): Promise<AlarmInstance[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return fileSchema.parse(JSON.parse(text)).alarms.map((saved) => ({
    ...saved,
    value: saved.value,
    conditionSince: saved.conditionSince,
    firedAt: saved.firedAt,
  }));
}

export async function saveAlarmState(path: string, instances: readonly AlarmInstance[]): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  // JSON.stringify drops undefined members, which the schema reads back as optional.
  await writeFile(temporary, `${JSON.stringify({ version: VERSION, alarms: instances })}\n`);
  await rename(temporary, path);
}
