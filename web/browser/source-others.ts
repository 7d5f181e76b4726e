/**
 * Fields no dashboard panel draws, grouped per measurement by the unit their names imply, so no
 * series is left out and no axis mixes units.
 */
import type { ChartSeries } from './chart.js';
import type { RangeResult } from './history-types.js';
import { shownTag } from './source-panels.js';
import { unitOf, type Unit } from './units.js';

export interface UnitGroup {
  readonly unit: Unit;
  readonly series: ChartSeries[];
}

/** `field tag1,tag2`: the tags but the host, which the page already names. */
function label(result: RangeResult): string {
  const tags = Object.entries(result.series.tags)
    .filter(([name]) => name !== 'host')
    .map(([, value]) => shownTag(value))
    .join(',');
  return result.series.field + (tags ? ` ${tags}` : '');
}

/** The numeric series of one measurement, by unit (units in alphabetical order). */
export function groupByUnit(measurement: string, results: readonly RangeResult[]): UnitGroup[] {
  const byUnit = new Map<Unit, ChartSeries[]>();
  for (const result of results) {
    if (typeof result.points[0]?.value === 'string') continue;
    const unit = unitOf(measurement, result.series.field);
    const list = byUnit.get(unit) ?? [];
    list.push({ name: result.series.name, label: label(result), factor: 1, points: [...result.points] });
    byUnit.set(unit, list);
  }
  return [...byUnit.keys()].sort().map((unit) => ({ unit, series: byUnit.get(unit)! }));
}
