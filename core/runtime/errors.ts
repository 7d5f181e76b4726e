/**
 * busbar's error catalogue. Every error carries a stable code and says whether trying again can
 * help, so runners decide retries from data, not from message text.
 */
export type ErrorCode =
  | 'BUSBAR_CONFIG_INVALID'
  | 'BUSBAR_CONFIG_READ'
  | 'BUSBAR_CONFIG_SUBSTITUTION'
  | 'BUSBAR_LISTEN_FAILED'
  | 'BUSBAR_LOGINS_BUSY'
  | 'BUSBAR_BUS_CLOSED'
  | 'BUSBAR_BUS_CONNECT'
  | 'BUSBAR_PAYLOAD_INVALID'
  | 'BUSBAR_PERSISTENCE'
  | 'BUSBAR_COMPONENT_FAILED';

export class BusbarError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options: { retryable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BusbarError';
    this.code = code;
    this.retryable = options.retryable ?? false;
  }
}

/** The message of anything thrown, for logs and counters. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
