/**
 * Alarm state kept across restarts in a small JSON file, so that a restart neither forgets a firing
 * alarm nor announces every alarm again: the alarm instances, the silences asked for over the bus,
 * what each notification group was last told, and who acknowledged which firing alarm. Written whole to a temporary file and renamed, so a
 * crash mid-write leaves the previous state, never half a file. Version 1 files (instances only) are
 * still read.
 */
import { readFile } from 'node:fs/promises';
import { writeFileAtomically } from '../core/util/atomic-file.js';
import { z } from 'zod';
import type { AlarmInstance, AlarmMessage } from './alarm.js';
import type { StageSnapshot } from './dispatch/stage.js';
import { silenceSchema, type Silence } from './silence.js';
import { ackSchema, type Ack } from './ack.js';

const VERSION = 2;

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

/** An alarm message as published; checked loosely (it was written by this code). */
const messageSchema = z.looseObject({
  rule: z.string(),
  series: z.string(),
  state: z.enum(['inactive', 'pending', 'firing', 'resolved']),
  severity: z.enum(['info', 'warning', 'critical']),
  labels: z.record(z.string(), z.string()),
  summary: z.string(),
});

const groupSchema = z.object({
  key: z.string(),
  route: z.string().optional(),
  labels: z.record(z.string(), z.string()),
  lastFlush: z.number().optional(),
  nextFlush: z.number().optional(),
  entries: z.array(
    z.object({
      message: messageSchema,
      told: z.enum(['firing', 'resolved', 'flapping']).optional(),
      flapping: z.boolean(),
    }),
  ),
  sent: z
    .array(
      z.object({
        id: z.string(),
        said: z.record(z.string(), z.enum(['firing', 'resolved', 'flapping'])),
        dead: z.literal(true).optional(),
      }),
    )
    .optional(),
});

const flapSchema = z.object({ alarm: z.string(), changes: z.array(z.number()), flapping: z.boolean() });

const fileSchema = z.union([
  z.object({ version: z.literal(1), alarms: z.array(instanceSchema) }),
  z.object({
    version: z.literal(VERSION),
    alarms: z.array(instanceSchema),
    silences: z.array(silenceSchema),
    notify: z.object({ groups: z.array(groupSchema), flaps: z.array(flapSchema) }),
    acks: z.array(ackSchema).optional(),
  }),
]);

export interface AlarmState {
  readonly alarms: AlarmInstance[];
  readonly silences: Silence[];
  readonly notify: StageSnapshot;
  /** Acknowledgements of firing alarms (absent in files of earlier versions). */
  readonly acks: Ack[];
}

/** The saved state; empty when there is no file yet. A damaged file throws (the caller logs it). */
export async function loadAlarmState(path: string): Promise<AlarmState> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyAlarmState();
    throw error;
  }
  const file = fileSchema.parse(JSON.parse(text));
  return {
    alarms: file.alarms.map((saved) => ({
      ...saved,
      value: saved.value,
      conditionSince: saved.conditionSince,
      firedAt: saved.firedAt,
    })),
    silences: file.version === VERSION ? file.silences : [],
    notify:
      file.version === VERSION
        ? {
            flaps: file.notify.flaps,
            groups: file.notify.groups.map((group) => ({
              ...group,
              lastFlush: group.lastFlush,
              nextFlush: group.nextFlush,
              entries: group.entries.map((entry) => ({
                ...entry,
                message: entry.message as unknown as AlarmMessage,
                told: entry.told,
              })),
            })),
          }
        : { groups: [], flaps: [] },
    acks: file.version === VERSION ? (file.acks ?? []) : [],
  };
}

export function emptyAlarmState(): AlarmState {
  return { alarms: [], silences: [], notify: { groups: [], flaps: [] }, acks: [] };
}

export async function saveAlarmState(path: string, state: AlarmState): Promise<void> {
  // JSON.stringify drops undefined members, which the schema reads back as optional.
  await writeFileAtomically(path, `${JSON.stringify({ version: VERSION, ...state })}\n`);
}
