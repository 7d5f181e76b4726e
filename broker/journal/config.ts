import { z } from 'zod';
import { duration } from '../../config/duration.js';

/** `broker.journal`: durable acknowledgement of QoS 1/2 metric messages (broker/journal/journal.ts). */
export const journalSchema = z
  .object({
    enabled: z
      .boolean()
      .default(true)
      .describe(
        'Write each QoS 1/2 metric message to disk before it is acknowledged. Takes effect when this process has a durable store (history, or an InfluxDB sink with durable: true).',
      ),
    path: z.string().min(1).default('data/journal').describe('Folder of the journal segment files.'),
    fsync: z
      .boolean()
      .default(true)
      .describe(
        'Flush each group of messages to the device (fdatasync) before acknowledging it: survives power loss, not only a crash of busbar.',
      ),
    checkpointInterval: duration
      .prefault('1s')
      .describe('How often the stores commit what they hold, so the journal can forget it.'),
  })
  .strict()
  .prefault({})
  .describe(
    'Durable acknowledgement of QoS 1/2 metric messages (see docs/concepts.md, Delivery guarantees).',
  );

export type JournalConfig = z.infer<typeof journalSchema>;
