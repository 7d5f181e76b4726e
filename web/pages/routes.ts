/**
 * The pages (overview, one per source) and their static files. uPlot comes from the installed npm
 * package (bundled into the pages' scripts, its stylesheet served), so the pages work on a machine
 * without internet access.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { sendText } from '../http.js';
import { localPath } from '../local-path.js';
import type { Router } from '../router.js';
import { escapeHtml, layout } from './layout.js';
import { browserScript } from './bundles.js';
import { loginPage } from './login.js';
import { BUSBAR_CSS, FAVICON_SVG } from './style.js';

const require = createRequire(import.meta.url);
const UPLOT_DIR = path.join(path.dirname(require.resolve('uplot/package.json')), 'dist');

const STATIC: Readonly<Record<string, { type: string; body: () => Promise<string> }>> = {
  '/static/busbar.css': { type: 'text/css', body: async () => BUSBAR_CSS },
  '/static/overview.js': { type: 'text/javascript', body: () => browserScript('overview') },
  '/static/source.js': { type: 'text/javascript', body: () => browserScript('source') },
  '/static/favicon.svg': { type: 'image/svg+xml', body: async () => FAVICON_SVG },
  // Browsers ask for it whatever the page links to; an SVG answers as well as an icon file.
  '/favicon.ico': { type: 'image/svg+xml', body: async () => FAVICON_SVG },
  '/static/login.js': { type: 'text/javascript', body: () => browserScript('login') },
  '/static/alarms.js': { type: 'text/javascript', body: () => browserScript('alarms') },
  '/static/broker.js': { type: 'text/javascript', body: () => browserScript('broker') },
  '/static/uPlot.min.css': {
    type: 'text/css',
    body: () => readFile(path.join(UPLOT_DIR, 'uPlot.min.css'), 'utf8'),
  },
};

function overview(): string {
  // A header's button sorts by its column (overview.js); the filter matches names and statuses.
  const head = ['source', 'status', 'last seen', 'cpu %', 'mem %', 'disk %', 'load1', 'alarms']
    .map((h, i) => `<th><button type="button" class="sort" data-column="${i}">${h}</button></th>`)
    .join('');
  return layout({
    title: 'Sources',
    body: `<p><label>Filter <input id="filter" type="search" placeholder="name or status"></label></p>
<table><thead><tr>${head}</tr></thead><tbody id="sources"></tbody></table>`,
    scripts: ['/static/overview.js'],
  });
}

const DURATIONS = ['30m', '1h', '2h', '4h', '12h', '1d', '7d'];

function durationSelect(id: string, name: string): string {
  const options = DURATIONS.map((d) => `<option${d === '2h' ? ' selected' : ''}>${d}</option>`).join('');
  return `<select id="${id}" name="${name}">${options}</select>`;
}

function tableHead(columns: readonly string[]): string {
  return `<thead><tr>${columns.map((h) => `<th>${h}</th>`).join('')}</tr></thead>`;
}

function alarmsPage(): string {
  const alarmsHead = tableHead([
    'state',
    'severity',
    'rule',
    'series',
    'summary',
    'since',
    'silenced',
    'acknowledged',
    '',
  ]);
  const silencesHead = tableHead(['matchers', 'ends at', 'created by', 'comment', '']);
  return layout({
    title: 'Alarms',
    body: `<p class="write-only"><label>Silence for ${durationSelect('alarm-duration', 'duration')}</label></p>
<table>${alarmsHead}<tbody id="alarms"></tbody></table>
<p id="silence-error" class="offline"></p>
<h2>Silences</h2>
<table>${silencesHead}<tbody id="silences"></tbody></table>
<form id="silence-form" class="write-only">
<h2>New silence</h2>
<p><label>Matchers <textarea name="matchers" rows="3" cols="40" required placeholder="rule=disk_*&#10;source=web1"></textarea></label>
<small>one <code>label=pattern</code> a line; labels: rule, series, severity, source, measurement, field, tags, alarm; <code>*</code> matches any run</small></p>
<p><label>For ${durationSelect('silence-duration', 'duration')}</label> <label>or until <input name="endsAt" type="datetime-local"></label></p>
<p><label>Comment <input name="comment" size="40"></label> <button type="submit">Silence</button></p>
</form>`,
    scripts: ['/static/alarms.js'],
  });
}

function brokerPage(): string {
  // broker.js (web/browser/broker-page.ts) writes the tables' rows and the clients' table head.
  return layout({
    title: 'Broker',
    body: `<table><tbody id="broker"></tbody></table>
<h2>Messages per second</h2>
<div class="chart" id="rate-chart"><div class="latest" id="rate-latest"></div><div class="plot"></div></div>
<h2>Clients</h2>
<p id="clients-summary"></p>
<p id="kick-error" class="offline"></p>
<table><thead></thead><tbody id="clients"></tbody></table>
<h2>Retained messages</h2>
<form id="retained-form" class="range"><label>Topic prefix <input id="retained-prefix" type="search" placeholder="sensors/kitchen (empty: all)"></label>
<button type="submit">List</button></form>
<p id="retained-summary"></p>
<table><thead><tr><th>topic</th><th>bytes</th><th>payload (start)</th></tr></thead><tbody id="retained"></tbody></table>
<p><button type="button" id="retained-next" hidden>next page</button></p>
<h2>Components</h2>
<table><thead><tr><th>component</th><th>state</th><th>statistics</th></tr></thead><tbody id="components"></tbody></table>`,
    scripts: ['/static/broker.js'],
  });
}

function sourcePage(source: string): string {
  // source.js (web/browser/source-page.ts) fills the selects and reads the range from the URL.
  return layout({
    title: source,
    body: `<div class="range" id="range-form">
<label>Range <select id="range"></select></label>
<label>Refresh <select id="refresh"></select></label>
<span id="range-shown"></span>
<details id="custom"><summary>custom range</summary>
<label>from <input id="custom-from" type="datetime-local"></label>
<label>to <input id="custom-to" type="datetime-local"></label>
<button type="button" id="custom-apply">Apply</button></details>
<small>drag across a chart to zoom; the browser's Back returns</small>
</div>
<section id="facts" class="facts" hidden><h2>Machine</h2><dl></dl></section>
<p id="empty" hidden>No numeric series of this source in this range.</p>
<div id="charts" class="charts"></div>
<details id="others" hidden><summary>Other fields (<span id="other-count">0</span> charts, grouped by unit)</summary>
<div id="other-charts" class="charts"></div></details>`,
    scripts: ['/static/source.js'],
    data: { source },
  });
}

/** The page for a path or source that does not exist (404). */
export function notFoundPage(message: string): string {
  return layout({
    title: 'Not found',
    body: `<p>${escapeHtml(message)}</p><p><a href="/">All sources</a></p>`,
    scripts: [],
  });
}

/**
 * The pages and their static files. The login form and the static files are public (the form needs
 * them); the pages need the `read` role, and send a browser without credentials to the login form.
 * `knownSource` says whether a source has anything to show (a status, an inventory or series): a
 * page for any other name is a 404.
 */
export function addPageRoutes(
  router: Router,
  knownSource: (source: string) => boolean | Promise<boolean>,
): void {
  for (const [pathname, asset] of Object.entries(STATIC)) {
    router.add('GET', pathname, { access: 'public' }, async ({ response }) =>
      sendText(response, 200, await asset.body(), asset.type),
    );
  }
  router.add('GET', '/login', { access: 'public' }, ({ url, response }) =>
    sendText(response, 200, loginPage(localPath(url.searchParams.get('next'))), 'text/html'),
  );
  const page = { access: 'read', page: true } as const;
  router.add('GET', '/', page, ({ response }) => sendText(response, 200, overview(), 'text/html'));
  router.add('GET', '/alarms', page, ({ response }) => sendText(response, 200, alarmsPage(), 'text/html'));
  router.add('GET', '/broker', page, ({ response }) => sendText(response, 200, brokerPage(), 'text/html'));
  router.add('GET', '/source/:source', page, async ({ params, response }) => {
    const source = params.source!;
    if (!(await knownSource(source))) {
      sendText(response, 404, notFoundPage(`No source named ${source} has published anything.`), 'text/html');
      return;
    }
    sendText(response, 200, sourcePage(source), 'text/html');
  });
}
