/**
 * Writes the files derived from the config schemas: config/busbar.schema.json (for editors) and
 * docs/configuration.md (the reference). A test fails when either is out of date; `npm run schema`
 * fixes it, also after a merge of schema changes.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { jsonSchemaText } from './json-schema.js';
import { configurationMarkdown } from './reference/markdown.js';

const outputs: [string, () => string][] = [
  ['./busbar.schema.json', jsonSchemaText],
  ['../docs/configuration.md', configurationMarkdown],
];
for (const [relative, render] of outputs) {
  const target = fileURLToPath(new URL(relative, import.meta.url));
  writeFileSync(target, render());
  console.log(`wrote ${target}`);
}
