/**
 * A templated HTTP request per notification: method, URL, headers and body from the target's
 * config (config.ts), values escaped for where they land (request.ts). The presets (ntfy, Slack,
 * PagerDuty...) are configs of this service. A non-2xx answer is an error naming the status and
 * the receiver's own words, with the config's secrets masked out (secrets.ts); the URL is never
 * part of it, as hooks carry their token there.
 */
import type { z } from 'zod';
import { errorMessage } from '../../../core/runtime/errors.js';
import { HttpStatusError } from '../http-status-error.js';
import { SendError } from '../send-error.js';
import type { NotifierService, Target } from '../service.js';
import { httpTargetSchema, type HttpTargetConfig } from './config.js';
import { buildRequest } from './request.js';
import { configSecrets, maskSecrets } from './secrets.js';
import { requestValues } from './values.js';

/** Enough of an answer to say why; an HTML error page is cut well before its end. */
const ANSWER_CHARS = 300;

async function answerText(response: Response, secrets: readonly string[]): Promise<string> {
  const text = (await response.text()).replace(/\s+/g, ' ').trim();
  const masked = maskSecrets(text, secrets);
  return masked.length > ANSWER_CHARS ? `${masked.slice(0, ANSWER_CHARS)}…` : masked;
}

/**
 * fetch's own error says only "fetch failed" (the reason is its cause), and a URL fetch cannot parse
 * would be quoted whole: the reason alone, masked, is what the error says.
 */
function unreachable(name: string, error: unknown, secrets: readonly string[]): SendError {
  const reason = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  return new SendError(`${name} could not be reached: ${maskSecrets(errorMessage(reason), secrets)}`);
}

/** One target of the http service or of a preset; `name` (`ntfy:phone`) starts its errors. */
export function createHttpTarget(config: HttpTargetConfig, name: string): Target {
  const secrets = configSecrets(config);
  return {
    format: config.format,
    async send(notification, signal) {
      const request = buildRequest(config, requestValues(notification, config));
      let response: Response;
      try {
        response = await fetch(request.url, {
          method: request.method,
          headers: request.headers,
          ...(request.body === undefined ? {} : { body: request.body }),
          signal,
        });
      } catch (error) {
        if (signal.aborted) throw error;
        throw unreachable(name, error, secrets);
      }
      if (response.ok) {
        // Drained so the connection can be reused.
        await response.arrayBuffer();
        return;
      }
      const said = await answerText(response, secrets);
      throw new HttpStatusError(
        `${name} answered HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}${said ? `: ${said}` : ''}`,
        response.status,
        response.headers.get('retry-after'),
      );
    },
  };
}

export const httpService: NotifierService<HttpTargetConfig> = {
  name: 'http',
  schema: httpTargetSchema,
  create: ({ config, id }) => createHttpTarget(config, id),
};

/**
 * A preset: a few options of its own (`schema`), expanded to an HTTP target's config when the
 * config file is read, so a mistake in either is reported with the rest.
 */
export function presetService<I>(
  name: string,
  options: z.ZodType<I>,
  expand: (options: I) => z.input<typeof httpTargetSchema>,
): NotifierService<HttpTargetConfig> {
  return {
    name,
    schema: options.transform(expand).pipe(httpTargetSchema),
    create: ({ config, id }) => createHttpTarget(config, id),
  };
}
