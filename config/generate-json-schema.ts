/** Writes config/busbar.schema.json; a test fails when it is out of date (`npm run schema` fixes it). */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { jsonSchemaText } from './json-schema.js';

const target = fileURLToPath(new URL('./busbar.schema.json', import.meta.url));
writeFileSync(target, jsonSchemaText());
console.log(`wrote ${target}`);
