import { z } from 'zod';

export const mqttTargetSchema = z
  .object({
    topic: z
      .string()
      .min(1)
      .refine((topic) => !topic.includes('+') && !topic.includes('#'), 'no wildcards [MQTT-3.3.2-2]')
      .describe('Topic the notification is republished on, as JSON.'),
    qos: z
      .union([z.literal(0), z.literal(1)])
      .default(1)
      .describe('QoS of the republished message.'),
    retain: z.boolean().default(false).describe('Republish retained.'),
  })
  .strict();

export type MqttTargetConfig = z.output<typeof mqttTargetSchema>;
