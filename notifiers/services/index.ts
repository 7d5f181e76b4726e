/**
 * Every notification service with what its targets are for: the one list. `services` (the router's)
 * and `notifiers.services` in notifiers/config.ts are both derived from it, so adding a service is a
 * folder and one line here.
 */
import { emailService } from './email/service.js';
import { fileService } from './file/service.js';
import { httpServices } from './http-services.js';
import { logService } from './log/service.js';
import { mqttService } from './mqtt/service.js';
import { telegramService } from './telegram/service.js';
import { webhookService } from './webhook/service.js';

export const serviceEntries = {
  email: { service: emailService, targets: 'Email targets by name (SMTP).' },
  file: { service: fileService, targets: 'File targets by name (JSON lines appended).' },
  log: { service: logService, targets: 'Log targets by name (one log line each).' },
  mqtt: { service: mqttService, targets: 'MQTT targets by name (republished on the bus).' },
  telegram: { service: telegramService, targets: 'Telegram targets by name (Bot API sendMessage, HTML).' },
  webhook: { service: webhookService, targets: 'Webhook targets by name (HTTP POST of JSON).' },
  ...httpServices,
} as const;

export const services = serviceOf(serviceEntries);

/** Each entry's service under its name. */
function serviceOf<S extends Record<string, { service: unknown }>>(
  entries: S,
): { [K in keyof S]: S[K]['service'] } {
  return Object.fromEntries(Object.entries(entries).map(([name, entry]) => [name, entry.service])) as {
    [K in keyof S]: S[K]['service'];
  };
}

export type ServiceName = keyof typeof services;
