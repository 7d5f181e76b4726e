/**
 * `busbar config sample [COMPONENT]`: every key as commented YAML, in the manner of `telegraf config`.
 * `##` lines describe; `# key: value` lines are settings at their default, ready to uncomment. With
 * every setting uncommented the file is the embedded defaults written out, and validates (tested).
 */
import { configKeys, type ConfigKey } from './keys.js';
import { defaultText, wrap, yamlInline } from './text.js';

const WIDTH = 100;

const HEADER = [
  '## busbar configuration: every key with its description and default (`busbar config sample`).',
  '## `# key: value` lines are settings at their default: uncomment one to change it. A key shown',
  '## only in `##` lines has no default. Reference: docs/configuration.md',
];

/** Thrown for a component name the configuration does not have; the message lists the names. */
export class UnknownComponentError extends Error {}

/** The keys directly below `parent` (object properties, not list items or map entries). */
function childrenOf(keys: ConfigKey[], parent: string): ConfigKey[] {
  const prefix = parent === '' ? '' : `${parent}.`;
  return keys.filter((key) => key.path.startsWith(prefix) && /^[^.[]+$/.test(key.path.slice(prefix.length)));
}

function isPlainObject(key: ConfigKey): boolean {
  return key.schema.type === 'object' && key.schema.properties !== undefined && key.sameAs === undefined;
}

/** A key whose value is written out: a single default, the same for every variant. */
function hasValue(key: ConfigKey): boolean {
  return key.defaults.length === 1 && key.defaults[0]!.variant === undefined;
}

/** True when the object is written as a block of settings (some key below it has a value of its own). */
function opensBlock(keys: ConfigKey[], key: ConfigKey): boolean {
  return (
    isPlainObject(key) &&
    (key.defaults.length > 0 || /^[^.[]+$/.test(key.path)) &&
    childrenOf(keys, key.path).some((child) => opensBlock(keys, child) || hasValue(child))
  );
}

/** The keys below a list, map or union, one `##` line each, relative to it: `[].port: integer ...`. */
function shapeLines(keys: ConfigKey[], key: ConfigKey, indent: string): string[] {
  const below = keys.filter(
    (other) => other.path.startsWith(`${key.path}.`) || other.path.startsWith(`${key.path}[`),
  );
  return below.flatMap((other) => {
    const facts = [other.type];
    const fallback = defaultText(other, (text) => text);
    if (fallback !== undefined) facts.push(`default ${fallback}`);
    if (other.required) facts.push('required');
    if (other.requiredWith !== undefined) facts.push(`required with ${other.requiredWith}`);
    if (other.only !== undefined) facts.push(`only with ${other.only}`);
    const relative = other.path.slice(key.path.length).replace(/^\./, '');
    const sameAs = other.sameAs === undefined ? '' : ` Same keys as ${other.sameAs}.`;
    const text = `${relative} (${facts.join(', ')}): ${other.description ?? ''}${sameAs}`;
    return wrap(text, WIDTH, `${indent}##   `).map((line, index) =>
      index === 0 ? line : line.replace(`${indent}##   `, `${indent}##     `),
    );
  });
}

function keyLines(keys: ConfigKey[], key: ConfigKey, depth: number): string[] {
  const indent = '  '.repeat(depth);
  const name = key.path.split('.').pop()!;
  const lines = wrap(key.description ?? '', WIDTH, `${indent}## `);
  if (opensBlock(keys, key)) {
    lines.push(`${indent}# ${name}:`);
    for (const child of childrenOf(keys, key.path)) lines.push(...keyLines(keys, child, depth + 1));
    return lines;
  }
  if (hasValue(key)) lines.push(`${indent}# ${name}: ${yamlInline(key.defaults[0]!.value)}`);
  else {
    const fallback = defaultText(key, (text) => text);
    const facts = [key.type, ...(fallback === undefined ? [] : [`default ${fallback}`])];
    if (key.only !== undefined) facts.push(`only with ${key.only}`);
    lines.push(`${indent}## ${name}: ${facts.join(', ')}${key.required ? ' (required)' : ''}`);
  }
  if (!isPlainObject(key) || key.defaults.length > 0) lines.push(...shapeLines(keys, key, indent));
  return lines;
}

/** The names `busbar config sample` takes: the top-level keys. */
export function componentNames(keys: ConfigKey[] = configKeys()): string[] {
  return childrenOf(keys, '').map((key) => key.path);
}

/** The commented sample of the whole configuration, or of one top-level key (`broker`). */
export function configSample(component?: string, keys: ConfigKey[] = configKeys()): string {
  const tops = childrenOf(keys, '');
  const chosen = component === undefined ? tops : tops.filter((key) => key.path === component);
  if (chosen.length === 0) {
    throw new UnknownComponentError(
      `no component "${component}" in the configuration; one of: ${componentNames(keys).join(', ')}`,
    );
  }
  const blocks = chosen.map((top) => keyLines(keys, top, 0).join('\n'));
  return `${[HEADER.join('\n'), ...blocks].join('\n\n')}\n`;
}

/** A sample with every setting uncommented: `# key: value` → `key: value`; `##` lines stay. */
export function uncommentSettings(sample: string): string {
  return sample.replace(/^(\s*)# (?!#)/gm, '$1');
}
