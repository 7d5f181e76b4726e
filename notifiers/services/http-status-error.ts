/**
 * An HTTP receiver's non-2xx answer as a SendError. A 4xx is a permanent refusal (the same request
 * would be refused again) except 408 and 429, which, like a 5xx, are retried; a `Retry-After` in
 * seconds is waited out (the HTTP-date form is rare for these receivers and read as absent).
 */
import { SendError } from './send-error.js';

export class HttpStatusError extends SendError {
  constructor(
    message: string,
    readonly status: number,
    retryAfter: string | null,
  ) {
    const transient = status === 408 || status === 429 || status >= 500;
    super(message, { permanent: !transient, retryAfterMs: retryAfterMs(retryAfter) });
  }
}

function retryAfterMs(header: string | null): number | undefined {
  const seconds = header === null ? NaN : Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}
