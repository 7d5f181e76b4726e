import { z } from 'zod';
import { compileRequestTemplate } from './template.js';

/** A string whose `{value}`s are known (checked when the config is read, not at the first send). */
const templated = z.string().superRefine((text, ctx) => {
  const problem = compileRequestTemplate(text).problem;
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** A JSON body: objects and arrays whose string leaves are templates. */
type BodyValue = string | number | boolean | null | BodyValue[] | { [key: string]: BodyValue };
const bodyValue: z.ZodType<BodyValue> = z.lazy(() =>
  z.union([
    templated,
    z.number(),
    z.boolean(),
    z.null(),
    z.array(bodyValue),
    z.record(z.string(), bodyValue),
  ]),
);

/** What may differ in the request a resolution is sent with (Opsgenie closes, PagerDuty resolves). */
const requestFields = {
  method: z.enum(['POST', 'PUT', 'PATCH', 'GET', 'DELETE']).default('POST').describe('HTTP method.'),
  url: templated
    .refine(isHttpUrl, 'an http:// or https:// URL')
    .describe('Request URL; values in it are URL-encoded. Never logged (it may hold a token).'),
  headers: z
    .record(z.string(), templated)
    .default({})
    .describe('Request headers (`Authorization: Bearer ${TOKEN}`); values may be templates. Never logged.'),
  encoding: z
    .enum(['json', 'form', 'text'])
    .default('json')
    .describe(
      '`json`: `body` is an object sent as JSON (values JSON-escaped); `form`: a flat object sent URL-encoded; `text`: a string sent as it renders.',
    ),
  body: z
    .union([templated, z.record(z.string(), bodyValue), z.array(bodyValue)])
    .optional()
    .describe(
      "Body template: an object whose strings are templates, or a string (`text`); a string that is one value alone (`'{level}'`) keeps its type.",
    ),
};

export const httpTargetSchema = z
  .object({
    ...requestFields,
    format: z
      .enum(['text', 'markdown', 'html', 'slack'])
      .default('text')
      .describe("How the route's title and message escape values for the receiver's markup."),
    levels: z
      .partialRecord(z.enum(['critical', 'warning', 'info', 'resolved']), z.union([z.string(), z.number()]))
      .default({})
      .describe(
        "`{level}`: the receiver's priority for each severity, and for a resolution (`{ critical: 5, warning: 4, info: 3 }`).",
      ),
    limits: z
      .record(z.string(), z.number().int().min(1))
      .default({})
      .describe(
        'Longest text of a body field (dotted path, `embeds.0.title`), cut with `…` (Opsgenie takes 130 characters of `message`).',
      ),
    resolved: z
      .object({
        method: requestFields.method
          .unwrap()
          .optional()
          .describe('Method of a resolution; default: `method`.'),
        url: requestFields.url.optional().describe('URL of a resolution; default: `url`.'),
        headers: requestFields.headers.unwrap().optional().describe('Headers added for a resolution.'),
        encoding: requestFields.encoding
          .unwrap()
          .optional()
          .describe("Encoding of a resolution's body; default: `encoding`."),
        body: requestFields.body.describe('Body of a resolution; default: `body`.'),
      })
      .strict()
      .optional()
      .describe(
        'What differs for a resolved alarm (its own URL or body, as an incident API that closes by key needs); headers add to `headers`.',
      ),
  })
  .strict()
  .superRefine((target, ctx) => {
    // A resolution's request: the target's, with what `resolved` changes.
    const variants = [
      { path: [] as string[], request: target },
      ...(target.resolved ? [{ path: ['resolved'], request: { ...target, ...target.resolved } }] : []),
    ];
    const said = new Set<string>();
    for (const { path, request } of variants) {
      const problem =
        request.method === 'GET' && request.body !== undefined
          ? 'a GET request has no body'
          : bodyProblem(request.encoding, request.body);
      // Told once: a resolution that keeps the body has the body's problem.
      if (problem && !said.has(problem))
        ctx.addIssue({ code: 'custom', path: [...path, 'body'], message: problem });
      if (problem) said.add(problem);
    }
  });

/** Whether the URL parses as http(s) with every `{value}` in it filled in. */
function isHttpUrl(url: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(url.replace(/\{[^{}]*\}/g, 'x')).protocol);
  } catch {
    return false;
  }
}

function bodyProblem(encoding: 'json' | 'form' | 'text', body: unknown): string | undefined {
  if (body === undefined) return undefined;
  if (encoding === 'text' && typeof body !== 'string') return 'with `encoding: text` the body is a string';
  if (encoding !== 'text' && typeof body === 'string')
    return `with \`encoding: ${encoding}\` the body is an object (its string values are templates); use \`encoding: text\` for a string`;
  if (
    encoding === 'form' &&
    (Array.isArray(body) ||
      Object.values(body as object).some((value) => value !== null && typeof value === 'object'))
  )
    return 'a form body is one level of fields: no nested objects or arrays';
  return undefined;
}

export type HttpTargetConfig = z.output<typeof httpTargetSchema>;
export type HttpTargetInput = z.input<typeof httpTargetSchema>;
/** One request's part of a target: what `resolved` may change. */
export type HttpRequestConfig = Pick<HttpTargetConfig, 'method' | 'url' | 'headers' | 'encoding' | 'body'>;
export type { BodyValue };
