/**
 * Asking the alarms component for silences over the bus, as the CLI, the web API and the bot do:
 * publish a request on <base>/control/silences, then wait for <base>/silences/<id> to show the answer.
 * The alarms component may run in another process (or not at all): no answer within the timeout is an
 * error that says so, never a silent success.
 */
import type { Bus } from '../core/bus/bus.js';
import type { Topics } from '../core/topics.js';
import {
  newSilenceId,
  requestProblem,
  silenceRequestSchema,
  silenceSchema,
  type Silence,
  type SilenceRequest,
} from './silence.js';

export const SILENCE_ANSWER_TIMEOUT_MS = 5_000;

export class SilenceRequestError extends Error {
  override readonly name = 'SilenceRequestError';
}

/** Every active silence, read from the retained topics (waits `settleMs` for them to arrive). */
export async function listSilences(bus: Bus, topics: Topics, settleMs = 300): Promise<Silence[]> {
  const found = new Map<string, Silence>();
  const subscription = await bus.subscribe(topics.allSilences, (message) => {
    const id = message.topic.slice(message.topic.lastIndexOf('/') + 1);
    if (message.payload.length === 0) {
      found.delete(id);
      return;
    }
    const parsed = parseSilence(message.payload);
    if (parsed) found.set(parsed.id, parsed);
  });
  try {
    await new Promise((resolve) => setTimeout(resolve, settleMs));
  } finally {
    await subscription.unsubscribe();
  }
  return [...found.values()].sort((a, b) => a.endsAt.localeCompare(b.endsAt));
}

/**
 * A message on <base>/silences/+ as a follower of the silences reads it: the silence's id (the last
 * topic level) and the silence, or undefined when the topic was cleared (ended, removed) or holds no
 * silence.
 */
export function silenceTopicUpdate(message: { readonly topic: string; readonly payload: Buffer }): {
  id: string;
  silence: Silence | undefined;
} {
  const id = message.topic.slice(message.topic.lastIndexOf('/') + 1);
  return { id, silence: message.payload.length === 0 ? undefined : parseSilence(message.payload) };
}

/** The silence a retained payload holds, or undefined when it is not one. */
export function parseSilence(payload: Buffer | string): Silence | undefined {
  try {
    const result = silenceSchema.safeParse(JSON.parse(payload.toString()));
    return result.success ? result.data : undefined;
  } catch {
    return undefined;
  }
}

/** Adds a silence; resolves with it once the alarms component has published it. */
export async function addSilence(
  bus: Bus,
  topics: Topics,
  request: Omit<Extract<SilenceRequest, { action: 'add' }>, 'action' | 'id'> & { id?: string },
  timeoutMs = SILENCE_ANSWER_TIMEOUT_MS,
): Promise<Silence> {
  const id = request.id ?? newSilenceId();
  // Checked here too: the alarms component only logs a refusal, so the requester would just time out.
  const checked = silenceRequestSchema.safeParse({ ...request, action: 'add', id });
  if (!checked.success) {
    throw new SilenceRequestError(requestProblem(checked.error));
  }
  const answer = await awaitSilenceTopic(bus, topics, id, (payload) => parseSilence(payload), timeoutMs);
  await bus.publish(topics.silenceRequests, JSON.stringify({ ...request, action: 'add', id }), { qos: 1 });
  return answer.promise;
}

/** Removes a silence; resolves once its retained topic is cleared. */
export async function removeSilence(
  bus: Bus,
  topics: Topics,
  id: string,
  timeoutMs = SILENCE_ANSWER_TIMEOUT_MS,
): Promise<void> {
  const answer = await awaitSilenceTopic(
    bus,
    topics,
    id,
    (payload) => (payload.length === 0 ? true : undefined),
    timeoutMs,
  );
  await bus.publish(topics.silenceRequests, JSON.stringify({ action: 'remove', id }), { qos: 1 });
  await answer.promise;
}

/** Subscribes to <base>/silences/<id> before the request goes out, so the answer cannot be missed. */
async function awaitSilenceTopic<T>(
  bus: Bus,
  topics: Topics,
  id: string,
  accept: (payload: Buffer) => T | undefined,
  timeoutMs: number,
): Promise<{ promise: Promise<T> }> {
  let settle!: (value: T) => void;
  let fail!: (error: Error) => void;
  const promise = new Promise<T>((resolve, reject) => {
    settle = resolve;
    fail = reject;
  });
  const subscription = await bus.subscribe(topics.silence(id), (message) => {
    // A retained copy is the state before the request (the same id reused): wait for the live answer.
    if (message.retain) return;
    const value = accept(message.payload);
    if (value !== undefined) settle(value);
  });
  const timer = setTimeout(
    () =>
      fail(
        new SilenceRequestError(
          `no answer on ${topics.silence(id)} within ${timeoutMs} ms: is the alarms component running (alarms.enabled) and may this user publish on ${topics.silenceRequests}? ` +
            `It is one of busbar's own topics: connect as a user that an ACL rule naming it grants, or one marked component: true (docs/security.md)`,
        ),
      ),
    timeoutMs,
  );
  const done = promise.finally(() => {
    clearTimeout(timer);
    void subscription.unsubscribe();
  });
  return { promise: done };
}
