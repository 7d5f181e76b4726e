/**
 * `broker.acl`: ordered rules, first match wins; no rules allows everything, some rules deny what
 * none of them matches. Rules are resolved once per client at login (user selection, `%u` and `%c`
 * substitution), so a publish costs a walk over that client's few compiled filters.
 *
 * Subscriptions are decided when they are made, never per delivered message, so a grant must be
 * safe for every topic the filter can match: an allow rule matches a subscription only when its
 * filter covers all of it (`sensors/#` covers `sensors/+/temp`, not the reverse), and a deny rule
 * matches as soon as it overlaps (deny `sensors/secret/#` refuses a later-allowed `sensors/#`).
 */
import type { AclRule } from '../config/schema.js';
import {
  compileFilter,
  covers,
  literal,
  matchesTopic,
  overlaps,
  type CompiledFilter,
  type FilterLevel,
} from './topic-filter.js';

export const ANY_USER = '*';
export const ANONYMOUS_USER = '$anonymous';

interface ClientRule {
  readonly allow: boolean;
  readonly filter: CompiledFilter;
}

/** What one logged-in client may do. */
export interface ClientAcl {
  canPublish(topic: string): boolean;
  canSubscribe(filter: string): boolean;
}

export interface Acl {
  /** `username` undefined: an anonymous client. */
  forClient(username: string | undefined, clientId: string): ClientAcl;
}

/** undefined when there are no rules: the broker then installs no ACL hooks at all. */
export function createAcl(rules: readonly AclRule[]): Acl | undefined {
  if (rules.length === 0) return undefined;
  return {
    forClient(username, clientId) {
      const publish: ClientRule[] = [];
      const subscribe: ClientRule[] = [];
      for (const rule of rules) {
        if (!appliesTo(rule.user, username)) continue;
        const filter = substitute(rule.topic, username, clientId);
        if (!filter) continue;
        const compiled: ClientRule = { allow: rule.allow, filter };
        if (rule.access !== 'subscribe') publish.push(compiled);
        if (rule.access !== 'publish') subscribe.push(compiled);
      }
      return new CompiledClientAcl(publish, subscribe);
    },
  };
}

function appliesTo(user: string, username: string | undefined): boolean {
  if (user === ANY_USER) return true;
  if (user === ANONYMOUS_USER) return username === undefined;
  return username !== undefined && user === username;
}

/**
 * The rule's filter for this client. Substituted text is always literal, even when a username or
 * client id contains `+`, `#` or `/` (each `/` then separates literal levels): a client named `+`
 * must not turn `users/%u/#` into a wildcard over every user. A rule using `%u` does not apply to
 * anonymous clients, which have no username.
 */
function substitute(
  topic: string,
  username: string | undefined,
  clientId: string,
): CompiledFilter | undefined {
  if (!topic.includes('%')) return compileFilter(topic);
  const levels: FilterLevel[] = [];
  for (const level of topic.split('/')) {
    if (!level.includes('%u') && !level.includes('%c')) {
      levels.push(...compileFilter(level));
      continue;
    }
    if (level.includes('%u') && username === undefined) return undefined;
    const text = level.replaceAll('%u', username ?? '').replaceAll('%c', clientId);
    for (const part of text.split('/')) levels.push(literal(part));
  }
  return levels;
}

class CompiledClientAcl implements ClientAcl {
  constructor(
    private readonly publishRules: readonly ClientRule[],
    private readonly subscribeRules: readonly ClientRule[],
  ) {}

  canPublish(topic: string): boolean {
    const rules = this.publishRules;
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i]!;
      if (matchesTopic(rule.filter, topic)) return rule.allow;
    }
    return false;
  }

  canSubscribe(filter: string): boolean {
    const wanted = compileFilter(filter);
    for (const rule of this.subscribeRules) {
      if (rule.allow ? covers(rule.filter, wanted) : overlaps(rule.filter, wanted)) return rule.allow;
    }
    return false;
  }
}
