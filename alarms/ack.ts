/**
 * Acknowledgement ("I'm on it") of a firing alarm. Anyone (the bot, the web, `busbar ack`, any MQTT
 * client allowed on <base>/control/acks) asks with a request; the alarms component, the one writer,
 * takes it only for an alarm that fires, and publishes the acknowledgement retained on
 * <base>/acks/<rule>/<series> so every channel shows who took it and when. An acknowledged alarm is
 * left out of repeats (notify/stage.ts); the acknowledgement is cleared when the alarm resolves.
 */
import { z } from 'zod';

const text = (max: number): z.ZodString => z.string().max(max);

export const ackRequestSchema = z
  .object({
    rule: z.string().min(1),
    series: z.string().min(1),
    by: text(200).min(1).describe('Who takes it: `telegram:ann`, `web:admin`, a name.'),
    comment: text(1000).default(''),
  })
  .strict();

export const ackSchema = ackRequestSchema.extend({
  /** ISO 8601. */
  at: z.iso.datetime({ offset: true }),
});

export type AckRequest = z.input<typeof ackRequestSchema>;
export type Ack = z.output<typeof ackSchema>;

/** The key the notification stage knows an alarm by. */
export function ackKey(ack: Pick<Ack, 'rule' | 'series'>): string {
  return `${ack.rule}/${ack.series}`;
}

/** The acknowledgement a retained payload holds, or undefined (cleared, or not one). */
export function parseAck(payload: Buffer | string): Ack | undefined {
  if (payload.length === 0) return undefined;
  try {
    const result = ackSchema.safeParse(JSON.parse(payload.toString()));
    return result.success ? result.data : undefined;
  } catch {
    return undefined; // not JSON: not an acknowledgement
  }
}
