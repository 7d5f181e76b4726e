/** Writes each notification as one log line; handy for testing routes. */
import type { NotifierService } from '../service.js';
import { logTargetSchema, type LogTargetConfig } from './config.js';

export const logService: NotifierService<LogTargetConfig> = {
  name: 'log',
  schema: logTargetSchema,
  create({ config, log }) {
    return {
      format: 'text',
      send(notification) {
        const { id, route, topic, title, message, priority } = notification;
        log[config.level]({ id, route, topic, title, priority }, message);
        return Promise.resolve();
      },
    };
  },
};
