/** The HTML shell every page shares: title, navigation, the stylesheet, then the page's script. */

export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

export function layout(options: {
  title: string;
  body: string;
  scripts: string[];
  data?: unknown;
  /** false for the login form: nobody to log out. */
  logout?: boolean;
}): string {
  const scripts = options.scripts.map((src) => `<script src="${escapeHtml(src)}"></script>`).join('\n');
  // JSON in a <script> must not be able to close it: `<` is escaped.
  const data = JSON.stringify(options.data ?? {}).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(options.title)} · busbar</title>
<link rel="stylesheet" href="/static/uPlot.min.css">
<link rel="stylesheet" href="/static/busbar.css">
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<meta name="color-scheme" content="light dark">
</head>
<body>
<header><a href="/">busbar</a> <nav><a href="/">sources</a> <a href="/alarms">alarms</a> <a href="/broker">broker</a></nav>
${options.logout === false ? '' : '<form method="post" action="/logout" class="logout"><button type="submit">log out</button></form>'}</header>
<main>
<h1>${escapeHtml(options.title)}</h1>
${options.body}
</main>
<script id="page-data" type="application/json">${data}</script>
${scripts}
</body>
</html>
`;
}
