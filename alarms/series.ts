/**
 * The identity of one alarm instance's series: source, measurement, tag set and field, in one readable
 * string (`web1.disk.used_percent{host=web1,path=/}`). Tags are sorted so the same series always has
 * the same key; the topic level is made from it by `topicLevel`.
 */
import { compareCodePoints } from '../core/codecs/line-protocol.js';

export interface SeriesLabels {
  readonly source: string;
  readonly measurement: string;
  readonly field: string;
  readonly tags: Readonly<Record<string, string>>;
}

export function seriesKey(labels: SeriesLabels): string {
  const tags = Object.keys(labels.tags)
    .sort(compareCodePoints)
    .map((key) => `${key}=${labels.tags[key]}`)
    .join(',');
  const base = [labels.source, labels.measurement, labels.field].filter((part) => part !== '').join('.');
  return tags === '' ? base : `${base}{${tags}}`;
}
