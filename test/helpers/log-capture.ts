import { createLogger, type Logger } from '../../core/runtime/logger.js';

export type LogLine = Record<string, unknown> & { level: number; msg?: string };

export interface CapturedLog {
  readonly logger: Logger;
  /** Every line written so far, parsed. */
  readonly lines: LogLine[];
  /** Everything written so far, as written (to check that a secret never appears anywhere). */
  text(): string;
  /** Lines whose message contains `text`. */
  find(text: string): LogLine[];
}

/** pino levels by name. */
export const LOG_LEVEL = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 } as const;

/** A real busbar logger (same redaction) writing JSON lines into memory. */
export function captureLog(level: keyof typeof LOG_LEVEL = 'debug'): CapturedLog {
  const raw: string[] = [];
  const lines: LogLine[] = [];
  const destination = {
    write(chunk: string): boolean {
      raw.push(chunk);
      lines.push(JSON.parse(chunk) as LogLine);
      return true;
    },
  };
  const logger = createLogger({ level, format: 'json' }, destination as unknown as NodeJS.WritableStream);
  return {
    logger,
    lines,
    text: () => raw.join(''),
    find: (text) => lines.filter((line) => typeof line.msg === 'string' && line.msg.includes(text)),
  };
}
