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

function substituteString(text: string, env: NodeJS.ProcessEnv): string | number | boolean {
  const whole = /^\$\{([^}]*)\}$/.exec(text);
  const replaced = text.replace(REFERENCE_RE, (match, body: string | undefined) =>
    match === '$${' ? '${' : resolveReference(body ?? '', env),
  );
  // `port: ${MQTT_PORT}` should give a number, as if the value had been written in the file.
  // Only whole environment references are converted; file contents (secrets) stay strings.
  if (whole && !whole[1]!.startsWith('file:')) {
    if (NUMBER_RE.test(replaced)) return Number(replaced);
    if (replaced === 'true' || replaced === 'false') return replaced === 'true';
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
  path: (string | number)[] = [],
): unknown {
  if (typeof value === 'string') {
    if (!value.includes('${')) return value;
    try {
      return substituteString(value, env);
    } catch (error) {
      problems.push({ path: formatPath(path), message: (error as Error).message });
      return value;
    }
  }
  if (Array.isArray(value))
    return value.map((item, index) => substitute(item, env, problems, [...path, index]));
  if (value !== null && typeof value === 'object') {
    const result: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value))
      result[key] = substitute(item, env, problems, [...path, key]);
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
