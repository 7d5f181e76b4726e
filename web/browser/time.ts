/** Times as the pages show them: in the viewer's zone, with UTC for a tooltip. */

const pad = (n: number): string => (n < 10 ? '0' : '') + n;

/** `2026-12-07 04:05:06` in the viewer's zone. */
export function localTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** `2026-12-07 03:05:06 UTC`. */
export function utcTime(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/[.]\d+Z$/, ' UTC');
}
