/**
 * Reading a config file and validating it against a schema, with every problem named by its path.
 * No schema is imported here: `busbar start` validates the whole file (load.ts), while `busbar agent`
 * validates only the sections it reads, without loading every component's schema.
 */
import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { BusbarError } from '../core/runtime/errors.js';
import {
  formatPath,
  restoreStrings,
  substitute,
  type ConfigProblem,
  type ConvertedValues,
} from './substitute.js';

export type { ConfigProblem };

/** Thrown when the file cannot be used; `problems` lists every one of them, each with its path. */
export class ConfigError extends BusbarError {
  readonly problems: readonly ConfigProblem[];
  readonly file: string | undefined;

  constructor(file: string | undefined, problems: ConfigProblem[]) {
    const where = file ?? 'configuration';
    super(
      'BUSBAR_CONFIG_INVALID',
      `${where}: ${problems.length} problem(s)\n${problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}`,
    );
    this.problems = problems;
    this.file = file;
  }
}

/** Reads and parses a YAML file into plain data; an unreadable file or bad YAML is a ConfigError. */
export async function readConfigDocument(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError(file, [{ path: '(file)', message: `cannot read the file (${code})` }]);
  }
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    throw new ConfigError(
      file,
      document.errors.map((error) => ({
        path: error.linePos ? `line ${error.linePos[0].line}, column ${error.linePos[0].col}` : '(yaml)',
        message: error.message.split('\n')[0] ?? error.message,
      })),
    );
  }
  return document.toJS();
}

/** Substitutes `${VAR}`s and validates `raw` against `schema` into frozen data, or throws ConfigError. */
export function validateConfig<S extends z.ZodType>(
  schema: S,
  raw: unknown,
  options: { file?: string; env?: NodeJS.ProcessEnv } = {},
): z.output<S> {
  const problems: ConfigProblem[] = [];
  const converted: ConvertedValues = new Map();
  const substituted = substitute(raw ?? {}, options.env ?? process.env, problems, converted);
  let result = schema.safeParse(substituted);
  // A `${NAME}` holding digits was made a number; where a string was expected, it is one. Each
  // pass puts back at least one value, so this ends.
  while (!result.success && restoreStrings(substituted, converted, stringsExpected(result.error.issues))) {
    result = schema.safeParse(substituted);
  }
  if (!result.success) {
    for (const issue of result.error.issues) {
      // zod reports an unknown key on its parent object; name the key itself so the user finds it.
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) {
          problems.push({ path: formatPath([...issue.path, key]), message: 'unknown key' });
        }
      } else {
        problems.push({ path: formatPath(issue.path), message: issue.message });
      }
    }
  }
  if (problems.length > 0 || !result.success) throw new ConfigError(options.file, problems);
  return deepFreeze(result.data as z.output<S>);
}

/** Paths where the schema wanted a string and got something else. */
function stringsExpected(issues: readonly z.core.$ZodIssue[]): PropertyKey[][] {
  return issues
    .filter((issue) => issue.code === 'invalid_type' && issue.expected === 'string')
    .map((issue) => issue.path);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}
