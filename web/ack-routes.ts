/**
 * Acknowledgement over HTTP, for the alarms page's Ack button and scripts:
 *   POST /api/acks   {rule, series, comment}
 * The alarms component is the one writer of acknowledgements: a write here is a request on
 * <base>/control/acks (ack-client.ts), answered once the ack topic says so; no answer (the alarm
 * does not fire, or the component is off) is a 504 that says why. Writing needs the `write` role and
 * obeys broker.acl for the request topic, as the silences do; who acknowledged is the logged-in user.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { AckRequestError, acknowledgeAlarm } from '../alarms/ack-client.js';
import { HttpError, readBody, sendJson } from './http.js';
import type { SilenceRouteContext } from './silence-routes.js';

export const ACKS_PATH = '/api/acks';

/** How long a write waits for this server's own view (the next GET) to show the answer. */
const STATE_WAIT_MS = 2_000;

/** Keys a client may send; `by` is the server's to set. */
const bodySchema = z
  .object({
    rule: z.string().min(1),
    series: z.string().min(1),
    comment: z.string().max(1000).default(''),
  })
  .strict();

export type AckRouteContext = SilenceRouteContext;

export async function handleAcks(
  request: IncomingMessage,
  response: ServerResponse,
  context: AckRouteContext,
): Promise<void> {
  const method = request.method ?? 'GET';
  if (method !== 'POST') throw new HttpError(405, 'method not allowed', `${method} ${ACKS_PATH}`);
  const { principal, topics, state, bus } = context;
  if (principal.role !== 'write') throw new HttpError(403, 'forbidden', `${principal.name} may only read`);
  if (!context.canPublish(topics.ackRequests))
    throw new HttpError(403, 'forbidden', `broker.acl denies publishing to ${topics.ackRequests}`);
  // Only JSON: a cross-site form cannot send that type without a CORS preflight, which is never granted.
  if (!(request.headers['content-type'] ?? '').includes('application/json'))
    throw new HttpError(415, 'unsupported', 'send the acknowledgement as application/json');
  let parsed: unknown;
  try {
    parsed = JSON.parse((await readBody(request, 16 * 1024)).toString('utf8'));
  } catch {
    throw new HttpError(400, 'invalid', 'body: not JSON');
  }
  const body = bodySchema.safeParse(parsed);
  if (!body.success) {
    const issues = body.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`);
    throw new HttpError(400, 'invalid', issues.join('; '));
  }
  const { rule, series, comment } = body.data;
  const alarm = state.alarms.get(topics.levelsAfter('alarms', topics.alarm(rule, series)));
  if (alarm?.state !== 'firing') throw new HttpError(409, 'not firing', `${rule}/${series} is not firing`);
  const by = `web:${principal.aclUser ?? principal.name}`;
  const ack = await acknowledgeAlarm(
    bus,
    topics,
    { rule, series, by, comment },
    context.answerTimeoutMs,
  ).catch((error: unknown) => {
    if (error instanceof AckRequestError) throw new HttpError(504, 'no answer', error.message);
    throw error;
  });
  await state.until('alarms', () => state.ackOf(rule, series)?.at === ack.at, STATE_WAIT_MS);
  sendJson(response, 201, ack);
}
