/** Republishes each notification on the bus as JSON. */
import type { NotifierService } from '../service.js';
import { mqttTargetSchema, type MqttTargetConfig } from './config.js';

export const mqttService: NotifierService<MqttTargetConfig> = {
  name: 'mqtt',
  schema: mqttTargetSchema,
  create({ config, bus }) {
    return {
      format: 'text',
      async send(notification) {
        const { id, route, topic, title, message, priority } = notification;
        const body = JSON.stringify({ id, route, topic, title, message, priority });
        await bus.publish(config.topic, body, { qos: config.qos, retain: config.retain });
      },
    };
  },
};
