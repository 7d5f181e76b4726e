/** What the web's history API answers (/api/series, /api/range), as the pages read it. */
import type { Point } from './chart-columns.js';

export interface SeriesInfo {
  /** The history store's series name: `source/measurement/field{tags}`. */
  readonly name: string;
  readonly source: string;
  readonly measurement: string;
  readonly field: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly type?: string;
}

export interface RangeResult {
  readonly series: SeriesInfo;
  readonly points: readonly Point[];
}

/** A part of a series name, escaped as the store escapes it (sinks/history/series-name.ts). */
export function escapePart(text: string): string {
  return text.replace(/[\\/{]/g, '\\$&');
}
