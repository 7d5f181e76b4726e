import { z } from 'zod';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION_RE = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;
/** The pattern the JSON Schema carries for a duration: the configuration reference calls it `duration`. */
export const DURATION_PATTERN = DURATION_RE.source;

/** Parses `250ms`, `10s`, `5m`, `1h`, `2d` (or a bare number of milliseconds) into milliseconds. */
export function parseDuration(text: string | number): number {
  if (typeof text === 'number') return text;
  const match = DURATION_RE.exec(text.trim());
  if (!match) throw new Error(`"${text}" is not a duration (use e.g. 500ms, 10s, 5m, 1h, 2d)`);
  return Number(match[1]) * UNIT_MS[match[2]!]!;
}

/** A duration in config: a string such as `10s`, or a number of milliseconds. Parsed to milliseconds. */
export const duration = z
  .union([
    z.number().nonnegative(),
    z.string().regex(DURATION_RE, 'a duration such as 500ms, 10s, 5m, 1h or 2d'),
  ])
  .transform((value) => parseDuration(value));

/** A byte size in config: `512KiB`, `1MiB`, `1GiB`, or a number of bytes. */
const SIZE_RE = /^(\d+)\s*(B|KiB|MiB|GiB|kB|MB|GB)?$/;
/** The pattern the JSON Schema carries for a byte size: the configuration reference calls it `size`. */
export const SIZE_PATTERN = SIZE_RE.source;
const UNIT_BYTES: Record<string, number> = {
  B: 1,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
  kB: 1000,
  MB: 1000 ** 2,
  GB: 1000 ** 3,
};

export const byteSize = z
  .union([z.number().int().nonnegative(), z.string().regex(SIZE_RE, 'a size such as 1024, 256KiB or 1MiB')])
  .transform((value) => {
    if (typeof value === 'number') return value;
    const match = SIZE_RE.exec(value.trim())!;
    return Number(match[1]) * UNIT_BYTES[match[2] ?? 'B']!;
  });
