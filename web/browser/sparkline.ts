/** A small line of a series' recent values, drawn in the text colour, for a table cell. */

const WIDTH = 80;
const HEIGHT = 18;
const SVG = 'http://www.w3.org/2000/svg';

/**
 * `points` as [time, value] across `window` (ms; a gap in the data shows as one); `max` fixes the
 * top of the scale (100 for a percentage), else the largest value is the top. Fewer than two points
 * draw nothing (undefined).
 */
export function sparkline(
  points: ReadonlyArray<readonly [number, number]>,
  window: { readonly from: number; readonly to: number },
  max?: number,
): SVGSVGElement | undefined {
  if (points.length < 2) return undefined;
  const t0 = window.from;
  const span = window.to - window.from || 1;
  const top = max ?? Math.max(...points.map(([, value]) => value));
  const bottom = max === undefined ? Math.min(0, ...points.map(([, value]) => value)) : 0;
  const range = top - bottom || 1;
  const coordinates = points
    .map(([time, value]) => {
      const x = Math.max(0, Math.min(1, (time - t0) / span)) * WIDTH;
      const y = HEIGHT - 1 - ((Math.min(value, top) - bottom) / range) * (HEIGHT - 2);
      return `${x.toFixed(1)},${y.toFixed(1)}`;
    })
    .join(' ');
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${WIDTH} ${HEIGHT}`);
  svg.setAttribute('width', String(WIDTH));
  svg.setAttribute('height', String(HEIGHT));
  svg.setAttribute('class', 'sparkline');
  svg.setAttribute('data-points', String(points.length));
  const line = document.createElementNS(SVG, 'polyline');
  line.setAttribute('points', coordinates);
  line.setAttribute('fill', 'none');
  line.setAttribute('stroke', 'currentColor');
  line.setAttribute('stroke-width', '1.2');
  svg.append(line);
  return svg;
}
