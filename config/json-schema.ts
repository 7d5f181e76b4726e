import { z } from 'zod';
import { configSchema } from './schema.js';

/** The editor JSON Schema of the config file, derived from the zod schema (input side: what users write). */
export function buildJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' });
  return { ...schema, title: 'busbar configuration' };
}

export function jsonSchemaText(): string {
  return `${JSON.stringify(buildJsonSchema(), null, 2)}\n`;
}
