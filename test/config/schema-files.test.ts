import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/load.js';
import { jsonSchemaText } from '../../config/json-schema.js';

const root = new URL('../../', import.meta.url);
const read = (relative: string): string => readFileSync(new URL(relative, root), 'utf8');

/** Every key path of the JSON Schema (`broker.listeners[].port`), objects and leaves alike. */
function schemaPaths(schema: Record<string, unknown>, prefix = ''): string[] {
  const out: string[] = [];
  const variants = [schema, ...((schema.anyOf ?? schema.oneOf ?? []) as Record<string, unknown>[])];
  for (const variant of variants) {
    const properties = variant.properties as Record<string, Record<string, unknown>> | undefined;
    if (properties) {
      for (const [key, child] of Object.entries(properties)) {
        const path = prefix ? `${prefix}.${key}` : key;
        out.push(path);
        out.push(...schemaPaths(child, path));
      }
    }
    const items = variant.items as Record<string, unknown> | undefined;
    if (items) out.push(...schemaPaths(items, `${prefix}[]`));
    const additional = variant.additionalProperties;
    if (additional && typeof additional === 'object')
      out.push(...schemaPaths(additional as Record<string, unknown>, `${prefix}.*`));
  }
  return [...new Set(out)];
}

describe('files derived from the config schema', () => {
  it('config/busbar.schema.json is current (run `npm run schema` to refresh it)', () => {
    expect(read('config/busbar.schema.json')).toBe(jsonSchemaText());
  });

  it('config/example.yaml is a valid config', async () => {
    const config = await loadConfig(new URL('config/example.yaml', root).pathname, {});
    expect(config.broker.listeners.length).toBeGreaterThan(1);
    expect(config.ingest.rules.length).toBeGreaterThan(0);
  });

  it('README documents every config key, and no key the schema lacks', () => {
    const readme = read('README.md');
    const section = readme.split('## Configuration reference')[1]?.split('\n## ')[0] ?? '';
    const documented = new Set([...section.matchAll(/^\| `([^`]+)` +\|/gm)].map((m) => m[1]!));
    const schema = JSON.parse(jsonSchemaText()) as Record<string, unknown>;
    const paths = schemaPaths(schema);
    expect(paths.length).toBeGreaterThan(30);
    expect(paths.filter((p) => !documented.has(p))).toEqual([]);
    expect([...documented].filter((p) => !paths.includes(p))).toEqual([]);
  });
});
