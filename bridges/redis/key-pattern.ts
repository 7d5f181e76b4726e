/**
 * Key patterns: `electrical:busplug:{rack}:{phase}` names parts of a key. `{name}` captures one
 * or more characters up to the next `:`; `{name:REGEX}` captures what REGEX matches (no braces
 * inside), for keys without separators (`busplug{rack:R\d+}{phase:P[ABC]}`); `*` matches any
 * text without capturing. The whole key must match.
 */
export interface KeyPattern {
  readonly names: readonly string[];
  /** Captures of `key`, or undefined when the key does not match. */
  match(key: string): Record<string, string> | undefined;
}

const TOKEN = /\{([A-Za-z_][A-Za-z0-9_]*)(?::([^{}]+))?\}|\*/g;

export function compileKeyPattern(pattern: string): KeyPattern {
  const names: string[] = [];
  let source = '^';
  let last = 0;
  const literal = (text: string): string => {
    if (/[{}]/.test(text)) throw new Error(`unbalanced or malformed {...} in "${pattern}"`);
    return escape(text);
  };
  for (const token of pattern.matchAll(TOKEN)) {
    source += literal(pattern.slice(last, token.index));
    last = token.index + token[0].length;
    if (token[0] === '*') {
      source += '.*?';
      continue;
    }
    const name = token[1]!;
    if (names.includes(name)) throw new Error(`"{${name}}" is named twice`);
    names.push(name);
    const inner = token[2] ?? '[^:]+';
    try {
      new RegExp(inner);
    } catch (error) {
      throw new Error(`{${name}:...}: ${(error as Error).message}`, { cause: error });
    }
    source += `(?<${name}>${inner})`;
  }
  source += `${literal(pattern.slice(last))}$`;
  const regex = new RegExp(source);
  return {
    names,
    match(key) {
      const found = regex.exec(key);
      if (!found) return undefined;
      return { ...found.groups };
    },
  };
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
