import { readFileSync } from 'node:fs';

/** A problem found while reading the file, with the config path where it happened. */
export interface ConfigProblem {
  path: string;
  message: string;
}

// ${NAME}, ${NAME:-default} or ${file:/path}; `$${` escapes a literal `${`.
const REFERENCE_RE = /\$\$\{|\$\{([^}]*)\}/g;
const ENV_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
const NUMBER_RE = /^-?\d+(\.\d+)?$/;

function resolveReference(body: string, env: NodeJS.ProcessEnv): string {
  if (body.startsWith('file:')) {
    const file = body.slice('file:'.length);
    try {
      // Secrets files usually end with a newline the secret does not contain.
      return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new Error(`\${file:${file}}: cannot read the file (${code})`);
    }
  }
  const [name, fallback] = body.split(/:-(.*)/s, 2) as [string, string | undefined];
  if (!ENV_NAME_RE.test(name)) throw new Error(`\${${body}}: "${name}" is not an environment variable name`);
  const value = env[name];
  if (value !== undefined && value !== '') return value;
  if (fallback !== undefined) return fallback;
  throw new Error(`\${${name}}: environment variable ${name} is not set`);
}

/** The text of each value converted from a whole `${NAME}` to a number or boolean, by its path. */
export type ConvertedValues = Map<string, string>;

function substituteString(
  text: string,
  env: NodeJS.ProcessEnv,
  path: (string | number)[],
  converted: ConvertedValues,
): string | number | boolean {
  const whole = /^\$\{([^}]*)\}$/.exec(text);
  const replaced = text.replace(REFERENCE_RE, (match, body: string | undefined) =>
    match === '$${' ? '${' : resolveReference(body ?? '', env),
  );
  // `port: ${MQTT_PORT}` should give a number, as if the value had been written in the file.
  // Only whole environment references are converted; file contents (secrets) stay strings. Where
  // the schema wants a string (`password: ${SMTP_PASS}` holding 123456), the text is put back:
  // see restoreStrings.
  if (whole && !whole[1]!.startsWith('file:')) {
    const value = NUMBER_RE.test(replaced)
      ? Number(replaced)
      : replaced === 'true' || replaced === 'false'
        ? replaced === 'true'
        : undefined;
    if (value !== undefined) {
      converted.set(formatPath(path), replaced);
      return value;
    }
  }
  return replaced;
}

/**
 * Replaces `${ENV_VAR}`, `${ENV_VAR:-default}` and `${file:/path}` in every string of a parsed
 * config, collecting a problem (with its path) for each reference that cannot be resolved.
 */
export function substitute(
  value: unknown,
  env: NodeJS.ProcessEnv,
  problems: ConfigProblem[],
  converted: ConvertedValues = new Map(),
  path: (string | number)[] = [],
): unknown {
  if (typeof value === 'string') {
    if (!value.includes('${')) return value;
    try {
      return substituteString(value, env, path, converted);
    } catch (error) {
      problems.push({ path: formatPath(path), message: (error as Error).message });
      return value;
    }
  }
  if (Array.isArray(value))
    return value.map((item, index) => substitute(item, env, problems, converted, [...path, index]));
  if (value !== null && typeof value === 'object') {
    const result: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value))
      result[key] = substitute(item, env, problems, converted, [...path, key]);
    return result;
  }
  return value;
}

/** `broker.listeners[0].port`, the way users read paths in YAML. */
export function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const part of path) {
    if (typeof part === 'number') text += `[${part}]`;
    else text += text ? `.${String(part)}` : String(part);
  }
  return text || '(top level)';
}

/**
 * Puts back the text of converted values (see substituteString) at each path of `wantStrings`
 * (where the schema expected a string); true when one was put back. `0123` comes back as written.
 */
export function restoreStrings(
  document: unknown,
  converted: ConvertedValues,
  wantStrings: readonly (readonly PropertyKey[])[],
): boolean {
  let restored = false;
  for (const path of wantStrings) {
    const text = converted.get(formatPath(path));
    if (text === undefined || path.length === 0) continue;
    let parent = document as Record<PropertyKey, unknown> | undefined;
    for (const key of path.slice(0, -1)) parent = parent?.[key] as Record<PropertyKey, unknown> | undefined;
    const last = path.at(-1)!;
    if (parent === undefined || parent === null || typeof parent[last] === 'string') continue;
    parent[last] = text;
    restored = true;
  }
  return restored;
}
