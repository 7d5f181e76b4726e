/**
 * Every busbar topic, declared once. Components build topics through these helpers and never by
 * string concatenation, so the scheme in docs/concepts.md stays the truth.
 */

/** A topic level taken from a name (source, measurement, reason): wildcards and separators replaced. */
export function topicLevel(name: string): string {
  const cleaned = name.replace(/[/#+\u0000]/g, '_');
  return cleaned.length > 0 ? cleaned : '_';
}

export interface Topics {
  readonly base: string;
  /** Line protocol (or JSON) metrics of one source. Not retained. */
  metrics(source: string, measurement: string): string;
  /** Filter matching every metric topic. */
  readonly allMetrics: string;
  /** Filter matching every metric topic of one source. */
  metricsOf(source: string): string;
  /** `online` / `offline` of a source, retained. */
  status(source: string): string;
  /** Filter matching the status of every source (not those of bridges, a level deeper). */
  readonly allStatuses: string;
  /** JSON inventory of a source, retained. */
  inventory(source: string): string;
  /** Filter matching the inventory of every source. */
  readonly allInventories: string;
  /** JSON events of a source (an SNMP trap), one message each, not retained. */
  events(source: string): string;
  /** JSON alarm state, retained. */
  alarm(rule: string, series: string): string;
  /** Filter matching every alarm state topic of one rule. */
  alarmsOf(rule: string): string;
  /** Filter matching every topic under the alarms. */
  readonly allAlarms: string;
  /** Filter matching exactly the alarm state topics, `<rule>/<series>` (their levels are escaped). */
  readonly allAlarmStates: string;
  /** Rejected payloads, rate-limited. Not retained. */
  deadletter(reason: string): string;
  /** JSON statistics of one component, retained. */
  stats(component: string): string;
  /** Filter matching the statistics of every component. */
  readonly allStats: string;
  /** JSON state of a bridge to a remote broker (connected, queued, dropped), retained. */
  bridgeStatus(name: string): string;
  /** JSON of one active silence, retained; published only by the alarms component. Empty: gone. */
  silence(id: string): string;
  /** Filter matching every silence topic. */
  readonly allSilences: string;
  /** Requests to add or remove a silence (alarms/silence.ts), JSON, not retained. */
  readonly silenceRequests: string;
  /**
   * JSON acknowledgement of a firing alarm (who, when, comment), retained; published only by the
   * alarms component, cleared (empty payload) when the alarm resolves.
   */
  ack(rule: string, series: string): string;
  /** Filter matching every acknowledgement topic. */
  readonly allAcks: string;
  /** Requests to acknowledge an alarm (alarms/ack.ts), JSON, not retained. */
  readonly ackRequests: string;
  /** A grouped alarm notification (alarms/dispatch), JSON, not retained: what notifiers route. */
  notification(group: string): string;
  /** Filter matching every grouped alarm notification. */
  readonly allNotifications: string;
  /**
   * JSON receipt of a grouped notification, not retained: a route delivered it, or it died. The
   * alarms component counts a group as told only on a `delivered` receipt (alarms/dispatch/told.ts).
   */
  notified(group: string): string;
  /** Filter matching every notification receipt. */
  readonly allNotified: string;
  /** JSON list of the clients connected to busbar's broker, retained. */
  readonly brokerClients: string;
  /** Requests to disconnect a client of busbar's broker (broker/kick-requests.ts), JSON, not retained. */
  readonly kickRequests: string;
  /**
   * The levels of `topic` after `<base>/<kind>/`: `<rule>/<series>` of an alarm, the source of a
   * status. `topic` must be of that kind, as a subscription to one of the filters above delivers.
   */
  levelsAfter(kind: ReadKind, topic: string): string;
}

/** The kinds of topic whose levels components read back (Topics.levelsAfter). */
export type ReadKind = 'alarms' | 'stats' | 'status' | 'inventory';

export function createTopics(base = 'busbar'): Topics {
  return {
    base,
    metrics: (source, measurement) => `${base}/metrics/${topicLevel(source)}/${topicLevel(measurement)}`,
    allMetrics: `${base}/metrics/#`,
    metricsOf: (source) => `${base}/metrics/${topicLevel(source)}/+`,
    status: (source) => `${base}/status/${topicLevel(source)}`,
    allStatuses: `${base}/status/+`,
    inventory: (source) => `${base}/inventory/${topicLevel(source)}`,
    allInventories: `${base}/inventory/+`,
    events: (source) => `${base}/events/${topicLevel(source)}`,
    alarm: (rule, series) => `${base}/alarms/${topicLevel(rule)}/${topicLevel(series)}`,
    alarmsOf: (rule) => `${base}/alarms/${topicLevel(rule)}/+`,
    allAlarms: `${base}/alarms/#`,
    allAlarmStates: `${base}/alarms/+/+`,
    deadletter: (reason) => `${base}/deadletter/${topicLevel(reason)}`,
    stats: (component) => `${base}/stats/${topicLevel(component)}`,
    allStats: `${base}/stats/#`,
    bridgeStatus: (name) => `${base}/status/bridge/${topicLevel(name)}`,
    silence: (id) => `${base}/silences/${topicLevel(id)}`,
    allSilences: `${base}/silences/+`,
    silenceRequests: `${base}/control/silences`,
    ack: (rule, series) => `${base}/acks/${topicLevel(rule)}/${topicLevel(series)}`,
    allAcks: `${base}/acks/#`,
    ackRequests: `${base}/control/acks`,
    notification: (group) => `${base}/notify/${topicLevel(group)}`,
    allNotifications: `${base}/notify/#`,
    notified: (group) => `${base}/notified/${topicLevel(group)}`,
    allNotified: `${base}/notified/+`,
    brokerClients: `${base}/broker/clients`,
    kickRequests: `${base}/control/kick`,
    levelsAfter: (kind, topic) => topic.slice(base.length + kind.length + 2),
  };
}

/**
 * The kinds of topic under the base topic that only busbar's own components publish: alarm states,
 * notifications and their receipts, silences and silence requests, acknowledgements and their
 * requests, statistics, dead letters and the
 * broker's client list. Others trust them (the web's /health and alarm list, the notifiers), so the
 * broker refuses them from any other client (broker/acl.ts). Agents and bridges publish `metrics`,
 * `status` and `inventory`.
 */
export const BUSBAR_OWN_KINDS: readonly string[] = [
  'alarms',
  'notify',
  'notified',
  'silences',
  'acks',
  'control',
  'stats',
  'deadletter',
  'broker',
];

/** The kind when `topic` is `<base>/<kind>` or under it and the kind is busbar's own, else undefined. */
export function busbarOwnKind(base: string, topic: string): string | undefined {
  if (!topic.startsWith(base) || topic.charCodeAt(base.length) !== 47 /* '/' */) return undefined;
  const start = base.length + 1;
  for (const kind of BUSBAR_OWN_KINDS) {
    if (!topic.startsWith(kind, start)) continue;
    const after = start + kind.length;
    if (after === topic.length || topic.charCodeAt(after) === 47) return kind;
  }
  return undefined;
}

/**
 * Splits `<base>/metrics/<source>/<measurement>`; undefined when the topic is not a metric topic.
 * Every consumer of the bus calls this for every metric message: it compares in place rather than
 * building the prefix and splitting, which allocated a string and an array each time.
 */
export function parseMetricTopic(
  topics: Topics,
  topic: string,
): { source: string; measurement: string } | undefined {
  const base = topics.base;
  if (!topic.startsWith(base) || !topic.startsWith(METRICS_LEVEL, base.length)) return undefined;
  const start = base.length + METRICS_LEVEL.length;
  const slash = topic.indexOf('/', start);
  // Exactly two non-empty levels after the prefix.
  if (slash <= start || slash === topic.length - 1 || topic.indexOf('/', slash + 1) !== -1) return undefined;
  return { source: topic.slice(start, slash), measurement: topic.slice(slash + 1) };
}

const METRICS_LEVEL = '/metrics/';
