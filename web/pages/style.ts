/**
 * The one stylesheet, served as /static/busbar.css, and the favicon. Colours are variables so
 * `prefers-color-scheme: dark` changes them in one place (charts read --fg and --grid too); pages
 * fit a 360 px screen: grids of charts shrink to one column and wide tables scroll inside themselves.
 */
export const BUSBAR_CSS = `
:root { --fg: #222; --muted: #555; --bg: #fafafa; --panel: #fff; --line: #ddd; --grid: #0000001a;
  --head: #20303f; --control: #8a8a8a; --ok: #137333; --bad: #b3261e; --warn: #6b4f00; --link: #0b57d0; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e3e3e3; --muted: #aaa; --bg: #121417; --panel: #1c1f24; --line: #33373d; --grid: #ffffff22;
    --head: #0d1620; --control: #6b7380; --ok: #6dd58c; --bad: #ff8a80; --warn: #e6c35c; --link: #8ab4f8; }
}
* { box-sizing: border-box; }
body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: var(--fg); background: var(--bg); }
a { color: var(--link); }
header { background: var(--head); color: #fff; padding: 8px 16px; display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: center; }
header a { color: #fff; text-decoration: none; font-weight: 600; }
nav a { margin-right: 12px; font-weight: 400; }
header form.logout { margin-left: auto; }
header form.logout button { background: none; border: 1px solid #ffffff66; color: #fff; border-radius: 4px; cursor: pointer; }
main { padding: 8px 16px; max-width: 100%; }
h1 { overflow-wrap: anywhere; }
/* A block, so a wide table scrolls inside itself on a phone; only as wide as its rows, so its panel
   does not stretch past them on a desktop. */
table { border-collapse: collapse; background: var(--panel); display: block; width: fit-content; max-width: 100%; overflow-x: auto; }
th, td { padding: 4px 10px; border-bottom: 1px solid var(--line); text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
/* Fields are outlined more strongly than table rules: an empty one must be seen, at night too. */
input, select, textarea, button { color: inherit; background: var(--panel); border: 1px solid var(--control); max-width: 100%; }
.online { color: var(--ok); font-weight: 600; }
.offline { color: var(--bad); font-weight: 600; }
.unknown { color: var(--muted); }
.warn { color: var(--warn); font-weight: 600; }
th button.sort { background: none; border: 0; font: inherit; font-weight: 600; cursor: pointer; padding: 0; }
.range { display: flex; flex-wrap: wrap; gap: 6px 14px; align-items: center; margin-bottom: 8px; }
.range small { color: var(--muted); }
.facts { background: var(--panel); border: 1px solid var(--line); padding: 6px 10px; margin-bottom: 12px; }
.facts h2 { font-size: 15px; margin: 0 0 4px; }
.facts dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 0; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; overflow-wrap: anywhere; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(560px, 100%), 1fr)); gap: 12px; }
.chart { background: var(--panel); border: 1px solid var(--line); padding: 6px; min-width: 0; }
.chart h2 { font-size: 15px; margin: 0 0 4px; }
.chart .u-legend { font-size: 12px; text-align: left; }
.chart .u-legend .u-series { display: inline-block; }
.chart:not(.all-shown) .u-legend .u-series.more { display: none; }
.chart button.more { font-size: 12px; margin-top: 4px; cursor: pointer; }
details#others { margin-top: 12px; }
details#others > summary { cursor: pointer; margin-bottom: 8px; }
.latest { font-size: 12px; color: var(--muted); }
.latest span { margin-right: 12px; }
tr.silenced td { color: var(--muted); }
td[data-silenced] { color: var(--warn); font-style: italic; }
.read-only .write-only { display: none; }
td.preview { font-family: ui-monospace, monospace; font-size: 12px; overflow-wrap: anywhere; max-width: 48ch; }
td.topic, td.series { overflow-wrap: anywhere; }
td.series { min-width: 14ch; }
/* A component's statistics break anywhere (a URL is one long word), so its table fits a phone. */
td.stats { overflow-wrap: anywhere; min-width: 16ch; }
button.kick { cursor: pointer; }
td[data-alarms] a { color: inherit; }
svg.sparkline { color: var(--muted); vertical-align: middle; }
.chart.target { outline: 2px solid var(--link); outline-offset: 2px; }
form#silence-form small { display: block; color: var(--muted); }
@media (max-width: 600px) { main { padding: 8px; } header { padding: 8px; } }
`;

/** A bus bar with three taps: readable at 16 px, in either colour scheme. */
export const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16">
<rect width="16" height="16" rx="3" fill="#20303f"/>
<rect x="2" y="4" width="12" height="3" fill="#f2a900"/>
<rect x="3" y="7" width="2" height="6" fill="#9ecbff"/><rect x="7" y="7" width="2" height="6" fill="#9ecbff"/><rect x="11" y="7" width="2" height="6" fill="#9ecbff"/>
</svg>
`;
