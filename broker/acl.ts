/**
 * `broker.acl`: ordered rules, first match wins; no rules allows everything, some rules deny what
 * none of them matches. Rules are resolved once per client at login (user selection, `%u` and `%c`
 * substitution), so a publish costs a walk over that client's few compiled filters.
 *
 * Subscriptions follow Mosquitto: a subscription is granted when some topic it can match may be
 * received, and then each delivered message is checked against the rules by its topic. Only a
 * subscription the rules cut (a deny rule overlaps it, or an allow rule covers only part of it)
 * pays that per-message check: `subscribeAccess` decides once, at SUBSCRIBE, whether the filter is
 * allowed whole (no check), refused whole (SUBACK failure) or allowed in part (checked per message).
 * A subscription `#` with a deny rule on `secret/#` before an allow rule on `#` receives everything
 * but `secret/...`.
 *
 * busbar's own topics (`<base>/alarms/...`, `<base>/stats/...`: core/topics.ts BUSBAR_OWN_KINDS) are
 * trusted by the web's /health and alarm list and by the notifiers, so they are not anyone's to
 * publish, whatever the rules: only component users (`broker.users[].component`), the components
 * running in busbar's process (no client, no ACL) and users an allow rule names them for explicitly
 * (its filter starts with `<base>/<kind>/`, not a wildcard) may. A deny rule still denies.
 */
import type { AclRule } from './config.js';
import { BUSBAR_OWN_KINDS, busbarOwnKind } from '../core/topics.js';
import {
  compileFilter,
  covers,
  LevelKind,
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
  /** The busbar-owned kind the filter names explicitly (`<base>/alarms/#`: alarms), if any. */
  readonly ownKind: string | undefined;
}

/** What one logged-in client may do. */
export interface ClientAcl {
  /** The rules, and busbar's own topics only for components or users a rule names them for. */
  canPublish(topic: string): boolean;
  /** The rules alone: for busbar's web publishing a request it checked on a user's behalf. */
  rulesAllowPublish(topic: string): boolean;
  /** How a subscription to `filter` is decided: see SubscribeAccess. */
  subscribeAccess(filter: string): SubscribeAccess;
  /** True when the rules let this client receive a message on `topic` (a Partial subscription). */
  canReceive(topic: string): boolean;
}

export const enum SubscribeAccess {
  /** Every topic the filter can match may be received: no per-message check. */
  Granted,
  /** No topic the filter can match may be received: the SUBACK refuses it. */
  Refused,
  /** Some topics may be received, some not: granted, and each message is checked by its topic. */
  Partial,
}

export interface Acl {
  /** False without rules: everything is allowed but publishing on busbar's own topics. */
  readonly hasRules: boolean;
  /** `username` undefined: an anonymous client. */
  forClient(username: string | undefined, clientId: string): ClientAcl;
}

export interface AclOptions {
  /** busbar's base topic; default `busbar`. */
  readonly baseTopic?: string;
  /** Users that are busbar components (on a remote bus): they may publish on busbar's own topics. */
  readonly components?: readonly string[];
}

export function createAcl(rules: readonly AclRule[], options: AclOptions = {}): Acl {
  const base = options.baseTopic ?? 'busbar';
  const components = new Set(options.components);
  return {
    hasRules: rules.length > 0,
    forClient(username, clientId) {
      const publish: ClientRule[] = [];
      const subscribe: ClientRule[] = [];
      for (const rule of rules) {
        if (!appliesTo(rule.user, username)) continue;
        const filter = substitute(rule.topic, username, clientId);
        if (!filter) continue;
        const compiled: ClientRule = { allow: rule.allow, filter, ownKind: namedKind(base, filter) };
        if (rule.access !== 'subscribe') publish.push(compiled);
        if (rule.access !== 'publish') subscribe.push(compiled);
      }
      const component = username !== undefined && components.has(username);
      return new CompiledClientAcl(base, component, rules.length > 0, publish, subscribe);
    },
  };
}

/** The busbar-owned kind a filter's first two levels name literally, if they do. */
function namedKind(base: string, filter: CompiledFilter): string | undefined {
  const [first, second] = filter;
  if (first?.kind !== LevelKind.Literal || first.text !== base) return undefined;
  if (second?.kind !== LevelKind.Literal) return undefined;
  return BUSBAR_OWN_KINDS.includes(second.text) ? second.text : undefined;
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
    private readonly base: string,
    private readonly component: boolean,
    private readonly hasRules: boolean,
    private readonly publishRules: readonly ClientRule[],
    private readonly subscribeRules: readonly ClientRule[],
  ) {}

  canPublish(topic: string): boolean {
    const kind = this.component ? undefined : busbarOwnKind(this.base, topic);
    if (kind === undefined) return this.rulesAllowPublish(topic);
    // busbar's own topic: a deny rule denies, an allow rule counts only when it names the kind.
    for (const rule of this.publishRules) {
      if (!matchesTopic(rule.filter, topic)) continue;
      if (!rule.allow) return false;
      if (rule.ownKind === kind) return true;
    }
    return false;
  }

  rulesAllowPublish(topic: string): boolean {
    if (!this.hasRules) return true;
    const rules = this.publishRules;
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i]!;
      if (matchesTopic(rule.filter, topic)) return rule.allow;
    }
    return false;
  }

  subscribeAccess(filter: string): SubscribeAccess {
    if (!this.hasRules) return SubscribeAccess.Granted;
    const wanted = compileFilter(filter);
    // First match wins per topic. Rules that overlap the filter only in part decide some of its
    // topics; the first rule that covers the whole filter decides all the rest.
    let someAllowed = false;
    let someDenied = false;
    for (const rule of this.subscribeRules) {
      if (!overlaps(rule.filter, wanted)) continue;
      if (covers(rule.filter, wanted)) {
        if (rule.allow) return someDenied ? SubscribeAccess.Partial : SubscribeAccess.Granted;
        return someAllowed ? SubscribeAccess.Partial : SubscribeAccess.Refused;
      }
      if (rule.allow) someAllowed = true;
      else someDenied = true;
    }
    // Whatever no rule matched is denied.
    return someAllowed ? SubscribeAccess.Partial : SubscribeAccess.Refused;
  }

  canReceive(topic: string): boolean {
    if (!this.hasRules) return true;
    const rules = this.subscribeRules;
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i]!;
      if (matchesTopic(rule.filter, topic)) return rule.allow;
    }
    return false;
  }
}
