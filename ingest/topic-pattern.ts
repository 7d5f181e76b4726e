/**
 * Topic patterns with named segments, as ingest rules write them: `sensors/+room/+measurement`
 * captures one level into `room` and one into `measurement`; `#rest` captures the remaining levels.
 * A bare `+` or `#` matches without capturing. The MQTT filter is the pattern with names removed.
 */
export interface TopicPattern {
  readonly pattern: string;
  /** The MQTT subscription filter (`sensors/+/+`). */
  readonly filter: string;
  /** Names of the capturing segments, in order. */
  readonly names: readonly string[];
  /** Captured segments, or undefined when the topic does not match. */
  match(topic: string): Record<string, string> | undefined;
}

type Level =
  { kind: 'literal'; text: string } | { kind: 'one'; name?: string } | { kind: 'rest'; name?: string };

export function compileTopicPattern(pattern: string): TopicPattern {
  const levels: Level[] = pattern.split('/').map((level, index, all) => {
    if (level.startsWith('+')) return { kind: 'one', name: level.slice(1) || undefined };
    if (level.startsWith('#')) {
      if (index !== all.length - 1) throw new Error(`"${pattern}": # must be the last level`);
      return { kind: 'rest', name: level.slice(1) || undefined };
    }
    if (level.includes('+') || level.includes('#')) {
      throw new Error(`"${pattern}": wildcards must fill a whole level ("${level}")`);
    }
    return { kind: 'literal', text: level };
  });
  const filter = levels.map((l) => (l.kind === 'literal' ? l.text : l.kind === 'one' ? '+' : '#')).join('/');

  const names = levels.flatMap((l) => (l.kind !== 'literal' && l.name ? [l.name] : []));

  return {
    pattern,
    filter,
    names,
    match(topic) {
      const parts = topic.split('/');
      const captures: Record<string, string> = {};
      for (let i = 0; i < levels.length; i++) {
        const level = levels[i]!;
        if (level.kind === 'rest') {
          // [MQTT-4.7.2-1] wildcards at the first level do not match $-topics.
          if (i === 0 && topic.startsWith('$')) return undefined;
          if (level.name) captures[level.name] = parts.slice(i).join('/');
          return captures;
        }
        const part = parts[i];
        if (part === undefined) return undefined;
        if (level.kind === 'literal') {
          if (part !== level.text) return undefined;
        } else {
          if (i === 0 && part.startsWith('$')) return undefined;
          if (level.name) captures[level.name] = part;
        }
      }
      return parts.length === levels.length ? captures : undefined;
    },
  };
}
