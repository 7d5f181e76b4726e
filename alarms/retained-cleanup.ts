/**
 * At start, reads the retained alarm topics the broker holds. Clears those of rules no longer in the
 * config: nothing would ever update them again, so a dashboard or a late subscriber would show a
 * removed rule's alarm firing forever (this covers the instances the engine dropped from the state
 * file for the same reason, and topics left by a run whose state file was lost). And says which
 * topics are present, so the alarms component can publish again the states a broker without
 * persistence lost in the restart.
 */
import type { Bus } from '../core/bus/bus.js';
import { errorMessage } from '../core/runtime/errors.js';
import type { Logger } from '../core/runtime/logger.js';
import { topicLevel, type Topics } from '../core/topics.js';

export interface CleanupOptions {
  readonly bus: Bus;
  readonly topics: Topics;
  readonly log: Logger;
  /** Names of the rules configured now. */
  readonly rules: readonly string[];
  /** Retained messages are taken as complete once none has arrived for this long. */
  readonly quietMs?: number;
  /** ... or after this long in any case (a broker with very many retained alarms). */
  readonly maxWaitMs?: number;
}

export interface RetainedScan {
  /** Retained topics of removed rules, now cleared. */
  readonly cleared: number;
  /** Alarm topics the broker holds for configured rules, or that this run published meanwhile. */
  readonly present: ReadonlySet<string>;
}

/**
 * Clears the retained topics of removed rules (empty retained payload, QoS 1) and logs how many;
 * resolves with what it found, or undefined after a failure, which is logged (never rejects: the
 * topics are cleared at the next start).
 */
export async function clearRemovedRuleTopics(options: CleanupOptions): Promise<RetainedScan | undefined> {
  try {
    const scan = await clearStale(options);
    if (scan.cleared > 0)
      options.log.info({ cleared: scan.cleared }, 'retained alarms of removed rules cleared');
    return scan;
  } catch (error) {
    options.log.warn({ err: errorMessage(error) }, 'retained alarms of removed rules not cleared');
    return undefined;
  }
}

async function clearStale(options: CleanupOptions): Promise<RetainedScan> {
  const { bus, topics } = options;
  const quietMs = options.quietMs ?? 250;
  const maxWaitMs = options.maxWaitMs ?? 5_000;
  const kept = new Set(options.rules.map(topicLevel));
  const stale = new Set<string>();
  const present = new Set<string>();
  let settle: () => void = () => undefined;
  let quiet: NodeJS.Timeout | undefined;
  const settled = new Promise<void>((resolve) => {
    settle = resolve;
  });
  const restartQuiet = (): void => {
    clearTimeout(quiet);
    quiet = setTimeout(settle, quietMs);
  };
  const subscription = await bus.subscribe(topics.allAlarmStates, (message) => {
    // A live message is this run's own (a change, or a topic cleared): present, and newer than any
    // state left from before.
    if (!message.retain) return void present.add(message.topic);
    const [rule = ''] = topics.levelsAfter('alarms', message.topic).split('/');
    if (message.payload.length > 0) {
      if (kept.has(rule)) present.add(message.topic);
      else stale.add(message.topic);
    }
    restartQuiet();
  });
  restartQuiet();
  const limit = setTimeout(settle, maxWaitMs);
  try {
    await settled;
  } finally {
    clearTimeout(quiet);
    clearTimeout(limit);
    await subscription.unsubscribe();
  }
  // An empty retained payload clears the topic [MQTT-3.3.1-10].
  for (const topic of stale) await bus.publish(topic, '', { qos: 1, retain: true });
  return { cleared: stale.size, present };
}
