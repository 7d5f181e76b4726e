/**
 * Browser script of the overview: every source with its status (from `busbar/status/+`), when it
 * was last seen, its key gauges (coloured past WARN and BAD) and its firing and pending alarms
 * (labels.source); refreshed every 10 s. Rows are filtered by name or status and sorted by the
 * column whose header was pressed (again: the other way).
 */
export const OVERVIEW_JS = `
(function () {
  var GAUGES = [
    ['cpu', '*/cpu/usage_active*', '%'],
    ['mem', '*/mem/used_percent*', '%'],
    ['disk', '*/disk/used_percent*', '% (fullest)'],
    ['load1', '*/system/load1*', ''],
  ];
  var rows = document.getElementById('sources');
  function get(path) { return fetch(path, { credentials: 'same-origin' }).then(function (r) { return r.json(); }); }
  function fmt(v) { return typeof v === 'number' ? (Math.round(v * 10) / 10).toString() : ''; }
  function ago(ms) {
    if (!ms) return '';
    var s = Math.max(0, Math.round((Date.now() - ms) / 1000));
    return s < 120 ? s + ' s ago' : s < 7200 ? Math.round(s / 60) + ' min ago' : Math.round(s / 3600) + ' h ago';
  }
  function refresh() {
    Promise.all([get('/api/sources'), get('/api/status'), get('/api/latest?pattern=*'), get('/api/alarms')].concat(
      GAUGES.map(function (g) { return get('/api/latest?pattern=' + encodeURIComponent(g[1])); })
    )).then(function (answers) {
      var sources = answers[0], status = answers[1], latest = answers[2], alarms = answers[3];
      var lastSeen = {};
      latest.forEach(function (l) { lastSeen[l.series.source] = Math.max(lastSeen[l.series.source] || 0, l.time); });
      var names = sources.map(function (s) { return s.source; });
      Object.keys(status).forEach(function (n) { if (names.indexOf(n) < 0 && n !== 'bridge') names.push(n); });
      names.sort();
      var html = '';
      names.forEach(function (name) {
        var st = status[name] ? status[name].status : 'unknown';
        var cls = st === 'online' ? 'online' : st === 'offline' ? 'offline' : 'unknown';
        html += '<tr data-source="' + encodeURIComponent(name) + '"><td><a href="/source/' + encodeURIComponent(name) + '">' +
          name.replace(/[&<>"]/g, '') + '</a></td><td class="' + cls + '">' + st + '</td><td data-sort="' +
          (lastSeen[name] ? Math.round((Date.now() - lastSeen[name]) / 1000) : 1e12) + '">' + ago(lastSeen[name]) + '</td>';
        GAUGES.forEach(function (g, i) {
          var values = answers[4 + i].filter(function (l) { return l.series.source === name; })
            .map(function (l) { return l.value; });
          var v = values.length ? Math.max.apply(null, values) : undefined;
          html += '<td class="num" data-gauge="' + g[0] + '">' + fmt(v) + '</td>';
        });
        function count(state) { return alarms.filter(function (a) { return a.state === state && a.labels && a.labels.source === name; }).length; }
        var firing = count('firing'), pending = count('pending');
        var said = [firing ? firing + ' firing' : '', pending ? pending + ' pending' : ''].filter(Boolean).join(', ');
        html += '<td class="num ' + (firing ? 'offline' : pending ? 'warn' : '') + '" data-alarms data-sort="' + (firing * 1000 + pending) + '">' + said + '</td></tr>';
      });
      rows.innerHTML = html || '<tr><td colspan="8">no sources yet</td></tr>';
      arrange();
    });
  }
  var WARN = { cpu: 75, mem: 80, disk: 80 }, BAD = { cpu: 90, mem: 90, disk: 90 };
  var filter = document.getElementById('filter');
  var sortBy = { column: 0, down: false };
  function sortValue(row) {
    var cell = row.children[sortBy.column];
    var v = cell.getAttribute('data-sort') !== null ? cell.getAttribute('data-sort') : cell.textContent;
    var n = parseFloat(v);
    return isNaN(n) ? v.toLowerCase() : n;
  }
  /** Applies the filter and the sort to the rows drawn. */
  function arrange() {
    var list = Array.prototype.slice.call(rows.querySelectorAll('tr[data-source]'));
    var words = filter.value.trim().toLowerCase();
    list.forEach(function (row) {
      row.hidden = words !== '' && (row.children[0].textContent + ' ' + row.children[1].textContent).toLowerCase().indexOf(words) < 0;
      row.querySelectorAll('td[data-gauge]').forEach(function (cell) {
        var g = cell.getAttribute('data-gauge'), v = parseFloat(cell.textContent);
        cell.className = 'num' + (v >= BAD[g] ? ' offline' : v >= WARN[g] ? ' warn' : '');
      });
    });
    list.sort(function (a, b) {
      var x = sortValue(a), y = sortValue(b);
      var order = x < y ? -1 : x > y ? 1 : 0;
      return sortBy.down ? -order : order;
    }).forEach(function (row) { rows.appendChild(row); });
  }
  filter.addEventListener('input', arrange);
  document.querySelectorAll('button.sort').forEach(function (button) {
    button.addEventListener('click', function () {
      var column = Number(button.getAttribute('data-column'));
      sortBy = { column: column, down: sortBy.column === column ? !sortBy.down : column >= 3 };
      arrange();
    });
  });
  refresh();
  setInterval(refresh, 10000);
})();
`;
