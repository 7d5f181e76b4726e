import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configKeys } from '../../config/reference/keys.js';
import { configurationMarkdown } from '../../config/reference/markdown.js';

const root = new URL('../../', import.meta.url);
const read = (relative: string): string => readFileSync(new URL(relative, root), 'utf8');

describe('docs/configuration.md, the reference generated from the schemas', () => {
  const keys = configKeys();

  it('is current (run `npm run schema` to refresh it)', () => {
    expect(read('docs/configuration.md')).toBe(configurationMarkdown());
  });

  it('finds the keys of every component, nested lists and maps included', () => {
    const paths = keys.map((key) => key.path);
    expect(paths.length).toBeGreaterThan(500);
    for (const path of ['baseTopic', 'broker.listeners[].tls.cert', 'notifiers.services.email.*.host'])
      expect(paths).toContain(path);
    expect(new Set(paths).size).toBe(paths.length);
  });

  it('has a description for every key (give the zod schema a `.describe()`)', () => {
    expect(keys.filter((key) => !key.description).map((key) => key.path)).toEqual([]);
  });

  it('names every key with its type and default, one section per component', () => {
    const text = configurationMarkdown();
    // A component with keys below it is the section itself; every other key has an entry.
    const sectionsOnly = keys.filter((key) => !/[.[]/.test(key.path) && key.schema.properties);
    for (const key of keys.filter((k) => !sectionsOnly.includes(k)))
      expect(text).toContain(`**\`${key.path}\`**`);
    expect(text).toContain('- **`broker.maxPacketSize`** · size · default `1MiB`\\');
    expect(text).toContain('default `1883` (type: tcp), `8883` (type: tls), `8083` (type: ws)');
    expect(text).toContain('**`broker.listeners[].path`** · string · default `/mqtt` · only with `type: ws`');
    // A key the variants of its parent treat differently says so for each.
    expect(text).toContain(
      '**`alarms.rules[].for`** · duration · default `0s` (kind: threshold, trend, deviation',
    );
    expect(text).toMatch(
      /required\s+with `kind: nodata` · only\s+with `kind: threshold, trend, deviation, nodata, offline`\\\n\s+For kind threshold, trend, deviation: /,
    );
    // `<base>` outside code would be read as an HTML tag and vanish.
    expect(text).toContain('republished on &lt;base>/deadletter/&lt;reason>');
    const tops = keys.filter((key) => !/[.[]/.test(key.path)).map((key) => key.path);
    for (const top of tops) {
      expect(text).toContain(`\n## ${top}\n`);
      expect(text).toContain(`- [${top}](#${top.toLowerCase()}):`);
    }
  });

  it('keeps every line under 200 characters', () => {
    const long = configurationMarkdown()
      .split('\n')
      .filter((line) => line.length > 200);
    expect(long).toEqual([]);
  });
});
