import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/load.js';
import { jsonSchemaText } from '../../config/json-schema.js';

const root = new URL('../../', import.meta.url);
const read = (relative: string): string => readFileSync(new URL(relative, root), 'utf8');

describe('files derived from the config schema', () => {
  it('config/busbar.schema.json is current (run `npm run schema` to refresh it)', () => {
    expect(read('config/busbar.schema.json')).toBe(jsonSchemaText());
  });

  it('config/example.yaml is a valid config', async () => {
    const config = await loadConfig(new URL('config/example.yaml', root).pathname, {});
    expect(config.broker.listeners.length).toBeGreaterThan(1);
    expect(config.ingest.rules.length).toBeGreaterThan(0);
  });
});
