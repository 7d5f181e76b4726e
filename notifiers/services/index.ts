/** Every notification service; adding one is a folder and one line here. */
import { emailService } from './email/service.js';
import { fileService } from './file/service.js';
import { httpServices } from './http-services.js';
import { logService } from './log/service.js';
import { mqttService } from './mqtt/service.js';
import { telegramService } from './telegram/service.js';
import { webhookService } from './webhook/service.js';

export const services = {
  email: emailService,
  file: fileService,
  log: logService,
  mqtt: mqttService,
  telegram: telegramService,
  webhook: webhookService,
  ...serviceOf(httpServices),
} as const;

/** Each entry's service under its name (http-services.ts lists them with their descriptions). */
function serviceOf<S extends Record<string, { service: unknown }>>(
  entries: S,
): { [K in keyof S]: S[K]['service'] } {
  return Object.fromEntries(Object.entries(entries).map(([name, entry]) => [name, entry.service])) as {
    [K in keyof S]: S[K]['service'];
  };
}

export type ServiceName = keyof typeof services;
