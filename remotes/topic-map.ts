/**
 * Topic rules of a bridge, as Mosquitto reads `topic <pattern> <direction> <qos> <local> <remote>`:
 * the local topic is `localPrefix + t` and the remote topic `remotePrefix + t` for every `t` matching
 * `pattern`. Prefixes are glued on as written, so `busbar/` needs its slash.
 */
import { topicMatches } from '../core/topic-match.js';
import type { BridgeRule } from './config.js';

export interface TopicRule {
  readonly index: number;
  readonly qos: 0 | 1;
  /** Subscribed on the bus (direction out or both). */
  readonly localFilter: string;
  /** Subscribed on the remote broker (direction in or both). */
  readonly remoteFilter: string;
  readonly out: boolean;
  readonly in: boolean;
  readonly localPrefix: string;
  readonly remotePrefix: string;
}

export function compileRules(rules: readonly BridgeRule[]): TopicRule[] {
  return rules.map((rule, index) => ({
    index,
    qos: rule.qos,
    localFilter: rule.localPrefix + rule.pattern,
    remoteFilter: rule.remotePrefix + rule.pattern,
    out: rule.direction !== 'in',
    in: rule.direction !== 'out',
    localPrefix: rule.localPrefix,
    remotePrefix: rule.remotePrefix,
  }));
}

/** The remote topic of a local one under `rule`; undefined when the rule does not cover it. */
export function toRemote(rule: TopicRule, localTopic: string): string | undefined {
  if (!rule.out || !topicMatches(rule.localFilter, localTopic)) return undefined;
  return rule.remotePrefix + localTopic.slice(rule.localPrefix.length);
}

/** The local topic of a remote one under `rule`; undefined when the rule does not cover it. */
export function toLocal(rule: TopicRule, remoteTopic: string): string | undefined {
  if (!rule.in || !topicMatches(rule.remoteFilter, remoteTopic)) return undefined;
  return rule.localPrefix + remoteTopic.slice(rule.remotePrefix.length);
}

/** The first rule (in file order) that brings `remoteTopic` in, with its local topic. */
export function inboundRoute(
  rules: readonly TopicRule[],
  remoteTopic: string,
): { rule: TopicRule; localTopic: string } | undefined {
  for (const rule of rules) {
    const localTopic = toLocal(rule, remoteTopic);
    if (localTopic !== undefined) return { rule, localTopic };
  }
  return undefined;
}

/** True when some rule sends `localTopic` out (so a message published there locally would leave). */
export function sendsOut(rules: readonly TopicRule[], localTopic: string): boolean {
  return rules.some((rule) => rule.out && topicMatches(rule.localFilter, localTopic));
}

/** True when some rule brings `remoteTopic` in (so the remote would echo our message back to us). */
export function bringsIn(rules: readonly TopicRule[], remoteTopic: string): boolean {
  return rules.some((rule) => rule.in && topicMatches(rule.remoteFilter, remoteTopic));
}
