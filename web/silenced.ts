/**
 * Which active silences match each alarm. Matching is compileLabelMatchers' (alarms/silence.ts), the
 * one definition, so the web's "silenced" mark agrees with what notifications leave out.
 */
import type { AlarmMessage } from '../alarms/alarm.js';
import { compileLabelMatchers, type Silence } from '../alarms/silence.js';

type Matchable = Pick<AlarmMessage, 'rule' | 'series' | 'severity' | 'labels'>;

/** The labels of a retained alarm document; undefined when it is not shaped like one. */
function matchable(alarm: Record<string, unknown>): Matchable | undefined {
  const { rule, series, severity, labels } = alarm;
  if (typeof rule !== 'string' || typeof series !== 'string') return undefined;
  const flat: Record<string, string> = {};
  if (labels && typeof labels === 'object') {
    for (const [key, value] of Object.entries(labels)) if (typeof value === 'string') flat[key] = value;
  }
  return {
    rule,
    series,
    severity: (typeof severity === 'string' ? severity : '') as Matchable['severity'],
    labels: flat,
  };
}

/** Silences that have not ended at `now`, soonest end first. */
export function activeSilences(silences: Iterable<Silence>, now = Date.now()): Silence[] {
  return [...silences]
    .filter((silence) => Date.parse(silence.endsAt) > now)
    .sort((a, b) => a.endsAt.localeCompare(b.endsAt));
}

/** Each alarm with `silencedBy`: the ids of the active silences that match it. */
export function withSilences(
  alarms: Iterable<Record<string, unknown>>,
  silences: Iterable<Silence>,
  now = Date.now(),
): Record<string, unknown>[] {
  const compiled = activeSilences(silences, now).map((silence) => ({
    id: silence.id,
    matches: compileLabelMatchers(silence.matchers),
  }));
  return [...alarms].map((alarm) => {
    const labels = matchable(alarm);
    const silencedBy = labels ? compiled.filter((s) => s.matches(labels)).map((s) => s.id) : [];
    return { ...alarm, silencedBy };
  });
}
