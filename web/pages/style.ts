/** The one stylesheet, served as /static/busbar.css. */
export const BUSBAR_CSS = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #222; background: #fafafa; }
header { background: #20303f; color: #fff; padding: 8px 16px; display: flex; gap: 16px; }
header a { color: #fff; text-decoration: none; font-weight: 600; }
nav a { margin-right: 12px; font-weight: 400; }
main { padding: 8px 16px; }
table { border-collapse: collapse; background: #fff; }
th, td { padding: 4px 10px; border-bottom: 1px solid #ddd; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.online { color: #137333; font-weight: 600; }
.offline { color: #b3261e; font-weight: 600; }
.unknown { color: #777; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(560px, 1fr)); gap: 12px; }
.chart { background: #fff; border: 1px solid #ddd; padding: 6px; }
.chart h2 { font-size: 15px; margin: 0 0 4px; }
.latest { font-size: 12px; color: #444; }
.latest span { margin-right: 12px; }
tr.silenced td { color: #777; }
td[data-silenced] { color: #6b4f00; font-style: italic; }
.read-only .write-only { display: none; }
form#silence-form small { display: block; color: #555; }
`;
