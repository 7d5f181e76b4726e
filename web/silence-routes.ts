/**
 * Silences over HTTP, for the alarms page and scripts:
 *   GET    /api/silences        the active silences
 *   POST   /api/silences        {matchers: {label: pattern}, duration: '2h' | endsAt: ISO, comment}
 *   DELETE /api/silences/<id>
 * The alarms component is the one writer of silences: a write here is a request on
 * <base>/control/silences (silence-client.ts), answered once the silence topic says so; no answer
 * (the component is off) is a 504 that says why. Writing needs the `write` role and obeys
 * broker.acl for the request topic, as publishing over HTTP does.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { addSilence, removeSilence, SilenceRequestError } from '../alarms/silence-client.js';
import { newSilenceId, silenceIdSchema, silenceRequestSchema } from '../alarms/silence.js';
import type { Bus } from '../core/bus/bus.js';
import type { Topics } from '../core/topics.js';
import type { Principal } from './auth.js';
import type { BusState } from './bus-state.js';
import { HttpError, readBody, sendJson } from './http.js';
import { activeSilences } from './silenced.js';

export const SILENCES_PATH = '/api/silences';

/** How long a write waits for this server's own view (the next GET) to show the answer. */
const STATE_WAIT_MS = 2_000;

/** Keys a client may send; `id` and `createdBy` are the server's to set. */
const bodySchema = z
  .object({
    matchers: z.unknown(),
    duration: z.unknown().optional(),
    endsAt: z.unknown().optional(),
    comment: z.unknown().optional(),
  })
  .strict();

export interface SilenceRouteContext {
  readonly state: BusState;
  readonly bus: Bus;
  readonly topics: Topics;
  readonly principal: Principal;
  /** broker.acl for this principal. */
  readonly canPublish: (topic: string) => boolean;
  /** How long to wait for the alarms component's answer. */
  readonly answerTimeoutMs: number;
}

function invalid(error: z.ZodError): HttpError {
  const issues = error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`);
  return new HttpError(400, 'invalid', issues.join('; '));
}

function mayWrite(context: SilenceRouteContext): void {
  const { principal, topics } = context;
  if (principal.role !== 'write') throw new HttpError(403, 'forbidden', `${principal.name} may only read`);
  if (!context.canPublish(topics.silenceRequests))
    throw new HttpError(403, 'forbidden', `broker.acl denies publishing to ${topics.silenceRequests}`);
}

/** A request the alarms component did not answer in time: a gateway timeout, saying why. */
function unanswered(error: unknown): never {
  if (error instanceof SilenceRequestError) throw new HttpError(504, 'no answer', error.message);
  throw error;
}

async function create(
  request: IncomingMessage,
  response: ServerResponse,
  context: SilenceRouteContext,
): Promise<void> {
  mayWrite(context);
  // Only JSON: a cross-site form cannot send that type without a CORS preflight, which is never granted.
  if (!(request.headers['content-type'] ?? '').includes('application/json'))
    throw new HttpError(415, 'unsupported', 'send the silence as application/json');
  const body = bodySchema.safeParse(JSON.parse((await readBody(request, 64 * 1024)).toString('utf8')));
  if (!body.success) throw invalid(body.error);
  const parsed = silenceRequestSchema.safeParse({
    ...body.data,
    action: 'add',
    id: newSilenceId(),
    createdBy: context.principal.aclUser ?? context.principal.name,
  });
  if (!parsed.success) throw invalid(parsed.error);
  // The action was set above; this only narrows the union's type.
  if (parsed.data.action !== 'add') throw new HttpError(400, 'invalid', 'not an add request');
  const { action: _action, ...add } = parsed.data;
  if (add.endsAt !== undefined && Date.parse(add.endsAt) <= Date.now())
    throw new HttpError(400, 'invalid', 'endsAt: in the past');
  const { state, bus, topics } = context;
  const silence = await addSilence(bus, topics, add, context.answerTimeoutMs).catch(unanswered);
  await state.until('silences', () => state.silences.has(silence.id), STATE_WAIT_MS);
  sendJson(response, 201, silence);
}

async function remove(id: string, response: ServerResponse, context: SilenceRouteContext): Promise<void> {
  mayWrite(context);
  if (!silenceIdSchema.safeParse(id).success) throw new HttpError(400, 'invalid', 'id: not a silence id');
  const { state, bus, topics } = context;
  if (!state.silences.has(id)) throw new HttpError(404, 'not found', `no active silence ${id}`);
  await removeSilence(bus, topics, id, context.answerTimeoutMs).catch(unanswered);
  await state.until('silences', () => !state.silences.has(id), STATE_WAIT_MS);
  response.writeHead(204);
  response.end();
}

/** Handles /api/silences and /api/silences/<id>. */
export async function handleSilences(
  request: IncomingMessage,
  response: ServerResponse,
  path: string,
  context: SilenceRouteContext,
): Promise<void> {
  const method = request.method ?? 'GET';
  if (path === SILENCES_PATH) {
    if (method === 'GET' || method === 'HEAD')
      return sendJson(response, 200, activeSilences(context.state.silences.values()));
    if (method === 'POST') return create(request, response, context);
  } else if (method === 'DELETE') {
    return remove(decodeURIComponent(path.slice(SILENCES_PATH.length + 1)), response, context);
  }
  throw new HttpError(405, 'method not allowed', `${method} ${path}`);
}
