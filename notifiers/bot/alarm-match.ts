/** Which alarms concern which series or sources: by the labels every alarm carries. */
import type { AlarmMessage } from '../../alarms/alarm.js';
import type { SeriesInfo } from '../../sinks/history/reader.js';

export function alarmIsAboutSeries(alarm: AlarmMessage, series: SeriesInfo): boolean {
  const { source, measurement, field, ...tags } = alarm.labels;
  if (source !== series.source || measurement !== series.measurement || field !== series.field) return false;
  const keys = Object.keys(series.tags);
  return keys.length === Object.keys(tags).length && keys.every((key) => tags[key] === series.tags[key]);
}

/** Alarms about one of `series`, and alarms about a whole source (offline, no data) among `sources`. */
export function alarmsAbout(
  alarms: readonly AlarmMessage[],
  series: readonly SeriesInfo[],
  sources: ReadonlySet<string>,
): AlarmMessage[] {
  return alarms.filter(
    (alarm) =>
      series.some((one) => alarmIsAboutSeries(alarm, one)) ||
      (alarm.labels.measurement === undefined && sources.has(alarm.labels.source ?? '')),
  );
}
