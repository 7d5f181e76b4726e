import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/**
 * Paths pino blanks before a line is written. Secrets reach logs mostly through config objects and
 * connection options, so every key named like a secret is redacted at any depth we log.
 */
export const REDACT_PATHS = [
  'password',
  'token',
  'secret',
  'authorization',
  '*.password',
  '*.token',
  '*.secret',
  '*.authorization',
  '*.*.password',
  '*.*.token',
  '*.*.secret',
  '*.*.*.password',
  '*.*.*.token',
  'config.bus.remote.password',
  'headers.authorization',
];

export interface LoggerSettings {
  level: string;
  format: 'auto' | 'json' | 'pretty';
}

/** pino with redaction; readable on a terminal, JSON lines otherwise (or as configured). */
export function createLogger(settings: LoggerSettings, destination?: NodeJS.WritableStream): Logger {
  const pretty =
    settings.format === 'pretty' || (settings.format === 'auto' && process.stdout.isTTY === true);
  const options: LoggerOptions = {
    level: settings.level,
    base: { name: 'busbar' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  };
  if (pretty && !destination) {
    options.transport = { target: 'pino-pretty', options: { colorize: true, ignore: 'pid,hostname,name' } };
    return pino(options);
  }
  return destination ? pino(options, destination as never) : pino(options);
}

/** Removes user:password from a URL before it is logged. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    // Not a URL after all: still cut anything shaped like user:password@ out of it.
    return url.replace(/[^\s/@]+:[^\s/@]*@/g, '***@');
  }
}
