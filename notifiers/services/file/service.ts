/** Appends each notification to a file as one JSON line (`id`, `time`, `title`, `message`...). */
import { appendFile } from 'node:fs/promises';
import type { NotifierService } from '../service.js';
import { fileTargetSchema, type FileTargetConfig } from './config.js';

export const fileService: NotifierService<FileTargetConfig> = {
  name: 'file',
  schema: fileTargetSchema,
  create({ config }) {
    return {
      format: 'text',
      async send(notification) {
        const { id, route, topic, title, message, priority } = notification;
        const line = JSON.stringify({
          id,
          time: new Date().toISOString(),
          route,
          topic,
          title,
          message,
          priority,
        });
        await appendFile(config.path, `${line}\n`);
      },
    };
  },
};
