/**
 * Asking the alarms component to acknowledge an alarm over the bus, as the CLI, the web and the bot
 * do: publish a request on <base>/control/acks, then wait for <base>/acks/<rule>/<series> to show the
 * acknowledgement. No answer within the timeout is an error that says why it may be, never a silent
 * success (the component refuses alarms that do not fire, and only logs it).
 */
import type { Bus } from '../core/bus/bus.js';
import type { Topics } from '../core/topics.js';
import { isAlarmMessage } from '../notifiers/alarm-payload.js';
import { ackRequestSchema, parseAck, type Ack, type AckRequest } from './ack.js';
import type { AlarmMessage } from './alarm.js';
import { compileLabelMatchers } from './silence.js';

export const ACK_ANSWER_TIMEOUT_MS = 5_000;

export class AckRequestError extends Error {
  override readonly name = 'AckRequestError';
}

/** Acknowledges a firing alarm; resolves with the acknowledgement once the alarms component published it. */
export async function acknowledgeAlarm(
  bus: Bus,
  topics: Topics,
  request: AckRequest,
  timeoutMs = ACK_ANSWER_TIMEOUT_MS,
): Promise<Ack> {
  const checked = ackRequestSchema.safeParse(request);
  if (!checked.success) {
    throw new AckRequestError(
      checked.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '),
    );
  }
  const topic = topics.ack(request.rule, request.series);
  let settle!: (ack: Ack) => void;
  const answer = new Promise<Ack>((resolve) => (settle = resolve));
  // Subscribed before the request goes out, so the answer cannot be missed.
  const subscription = await bus.subscribe(topic, (message) => {
    const ack = parseAck(message.payload);
    // A retained copy is an earlier acknowledgement: wait for the live answer to this request.
    if (!message.retain && ack?.by === checked.data.by) settle(ack);
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    await bus.publish(topics.ackRequests, JSON.stringify(checked.data), { qos: 1 });
    return await Promise.race([
      answer,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new AckRequestError(
                `no answer on ${topic} within ${timeoutMs} ms: does the alarm fire, is the alarms component running, and may this user publish on ${topics.ackRequests}?`,
              ),
            ),
          timeoutMs,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
    await subscription.unsubscribe();
  }
}

/** Every acknowledgement on the bus, read from the retained topics (waits `settleMs` for them). */
export async function listAcks(bus: Bus, topics: Topics, settleMs = 300): Promise<Ack[]> {
  const found = new Map<string, Ack>();
  const subscription = await bus.subscribe(topics.allAcks, (message) => {
    const ack = parseAck(message.payload);
    if (ack) found.set(message.topic, ack);
    else found.delete(message.topic);
  });
  try {
    await new Promise((resolve) => setTimeout(resolve, settleMs));
  } finally {
    await subscription.unsubscribe();
  }
  return [...found.values()];
}

/**
 * The firing alarms `name` designates, read from the retained alarm topics: `rule/series` exactly,
 * or every firing alarm whose rule, series or source is `name` (`*` wildcards), as SILENCE reads it.
 */
export async function firingAlarmsNamed(
  bus: Bus,
  topics: Topics,
  name: string,
  settleMs = 300,
): Promise<AlarmMessage[]> {
  const firing = new Map<string, AlarmMessage>();
  const subscription = await bus.subscribe(topics.allAlarms, (message) => {
    const alarm = parseAlarm(message.payload);
    if (alarm?.state === 'firing') firing.set(message.topic, alarm);
    else firing.delete(message.topic);
  });
  try {
    await new Promise((resolve) => setTimeout(resolve, settleMs));
  } finally {
    await subscription.unsubscribe();
  }
  const alarms = [...firing.values()];
  const exact = alarms.filter((alarm) => `${alarm.rule}/${alarm.series}` === name);
  if (exact.length > 0) return exact;
  const matches = compileLabelMatchers({ alarm: name });
  return alarms.filter(matches);
}

function parseAlarm(payload: Buffer): AlarmMessage | undefined {
  if (payload.length === 0) return undefined;
  try {
    const parsed: unknown = JSON.parse(payload.toString('utf8'));
    return isAlarmMessage(parsed) ? parsed : undefined;
  } catch {
    return undefined; // not JSON: not an alarm state
  }
}
