/** Which messages a route takes: its topic filter, then level, field and severity conditions. */
import { topicMatches } from '../../core/topic-match.js';
import type { RouteConfig } from '../config.js';
import { fieldAt } from './template.js';

export type Matcher = (value: unknown) => boolean;

/** `*` matches any run of characters; anything else is literal. */
export function globMatcher(pattern: string): (text: string) => boolean {
  if (!pattern.includes('*')) return (text) => text === pattern;
  const escaped = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  const re = new RegExp(`^${escaped.join('.*')}$`, 's');
  return (text) => re.test(text);
}

function valueMatcher(expected: string | number | boolean): Matcher {
  if (typeof expected !== 'string') return (value) => value === expected;
  const glob = globMatcher(expected);
  return (value) =>
    (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') &&
    glob(String(value));
}

/** A predicate over (topic levels, parsed payload) for one route. */
export function compileRouteFilter(
  route: RouteConfig,
): (topic: string, levels: readonly string[], payload: unknown) => boolean {
  const levels = Object.entries(route.filter.levels).map(([index, pattern]) => ({
    index: Number(index),
    match: globMatcher(pattern),
  }));
  const fields = Object.entries(route.filter.fields).map(([path, expected]) => ({
    path: path.split('.'),
    match: valueMatcher(expected),
  }));
  const severities = route.filter.severity ? new Set<unknown>(route.filter.severity) : undefined;
  return (topic, topicLevels, payload) => {
    if (route.topic === undefined || !topicMatches(route.topic, topic)) return false;
    for (const { index, match } of levels) {
      const level = topicLevels[index];
      if (level === undefined || !match(level)) return false;
    }
    for (const { path, match } of fields) if (!match(fieldAt(payload, path))) return false;
    if (severities && !severities.has(fieldAt(payload, ['severity']))) return false;
    return true;
  };
}
