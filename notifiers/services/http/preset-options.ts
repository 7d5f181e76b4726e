/** Options several presets share, described once. */
import { z } from 'zod';

/** A base URL without its trailing slash, so paths can be appended. */
export function base(url: string): string {
  return url.replace(/\/+$/, '');
}

export const secret = (what: string): z.ZodString =>
  z.string().min(1).describe(`${what}; never logged (\`\${ENV}\` keeps it out of the file).`);

export const hookUrl = (what: string): z.ZodURL =>
  z.url().describe(`${what}; never logged (it holds the hook's token).`);

export const serverUrl = (what: string, fallback: string): z.ZodDefault<z.ZodURL> =>
  z.url().default(fallback).describe(what);
