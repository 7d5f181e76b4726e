/**
 * Loose selection: the words after STATUS or GRAPH pick series when each word names a part of them
 * (source, measurement, field, a tag value, or a word of the field's name), or is a pattern with `*`
 * over those parts or the whole name. `web1 cpu`, `web1 disk /` and `web1/disk/used_percent` work.
 */
import { compilePattern } from '../../sinks/history/series-name.js';
import type { SeriesInfo } from '../../sinks/history/reader.js';

export interface Selection {
  /** Series every word matches. */
  readonly series: SeriesInfo[];
  /** Words that match no series at all: the ones to suggest names for. */
  readonly unknown: string[];
}

/** The parts of a series a word is compared with. */
export function seriesParts(series: SeriesInfo): string[] {
  return [
    series.source,
    series.measurement,
    series.field,
    `${series.measurement}.${series.field}`,
    ...Object.values(series.tags),
    ...series.field.split(/[_.]/).filter((part) => part.length > 1),
  ];
}

type WordMatcher = (series: SeriesInfo) => boolean;

export function compileWord(word: string): WordMatcher {
  const lower = word.toLowerCase();
  if (/[*?]/.test(word) || (word.includes('/') && word.length > 1 && !word.startsWith('/'))) {
    const whole = compilePattern(word);
    const part = compilePattern(lower);
    return (series) => whole(series.name) || seriesParts(series).some((value) => part(value.toLowerCase()));
  }
  return (series) => seriesParts(series).some((value) => value.toLowerCase() === lower);
}

export function selectSeries(all: readonly SeriesInfo[], words: readonly string[]): Selection {
  const matchers = words.map((word) => ({ word, matches: compileWord(word) }));
  const unknown = matchers.filter(({ matches }) => !all.some(matches)).map(({ word }) => word);
  const series = unknown.length > 0 ? [] : all.filter((one) => matchers.every(({ matches }) => matches(one)));
  return { series, unknown };
}

/** Every name a word could have meant, for suggestions. */
export function vocabulary(all: readonly SeriesInfo[], extra: Iterable<string> = []): Set<string> {
  const names = new Set<string>(extra);
  for (const series of all) {
    names.add(series.source);
    names.add(series.measurement);
    names.add(series.field);
    for (const value of Object.values(series.tags)) names.add(value);
  }
  return names;
}
