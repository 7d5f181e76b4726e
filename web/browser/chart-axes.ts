/**
 * The axes every chart shares: drawn in the stylesheet's text and grid colours (which follow
 * prefers-color-scheme, so labels stay readable at night), and times labelled as the pages write
 * them elsewhere (24-hour clock, year-month-day, the viewer's zone) rather than uPlot's US default.
 */
import type uPlot from 'uplot';

/** A colour of the stylesheet (its variables change with prefers-color-scheme). */
function cssColour(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

const pad = (n: number): string => (n < 10 ? '0' : '') + n;
const DAY_S = 86_400;

/**
 * Tick labels of a time axis (splits in epoch seconds, `step` between them): `HH:mm`, with the date
 * under the first tick and wherever the day changes; dates alone when ticks are a day or more apart.
 */
function timeLabels(_u: uPlot, splits: number[], _axis: number, _space: number, step: number): string[] {
  let lastDay = '';
  return splits.map((seconds) => {
    const d = new Date(seconds * 1000);
    const day = `${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
    if (step >= DAY_S) return day;
    const time =
      step < 60
        ? `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
        : `${pad(d.getHours())}:${pad(d.getMinutes())}`;
    const label = day === lastDay ? time : `${time}\n${day}`;
    lastDay = day;
    return label;
  });
}

/** The x (time) axis and the base of a y axis, in the page's colours. */
export function themedAxes(): { x: uPlot.Axis; y: uPlot.Axis } {
  const fg = cssColour('--fg', '#222');
  const grid = cssColour('--grid', '#0000001a');
  const base = { stroke: fg, grid: { stroke: grid }, ticks: { stroke: grid } };
  return { x: { ...base, space: 70, values: timeLabels }, y: base };
}
