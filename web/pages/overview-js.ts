/**
 * Browser script of the overview: every source with its status (from `busbar/status/+`), when it
 * was last seen, its key gauges and its firing alarms (labels.source); refreshed every 10 s.
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
          name.replace(/[&<>"]/g, '') + '</a></td><td class="' + cls + '">' + st + '</td><td>' + ago(lastSeen[name]) + '</td>';
        GAUGES.forEach(function (g, i) {
          var values = answers[4 + i].filter(function (l) { return l.series.source === name; })
            .map(function (l) { return l.value; });
          var v = values.length ? Math.max.apply(null, values) : undefined;
          html += '<td class="num" data-gauge="' + g[0] + '">' + fmt(v) + '</td>';
        });
        var firing = alarms.filter(function (a) { return a.state === 'firing' && a.labels && a.labels.source === name; }).length;
        html += '<td class="num ' + (firing ? 'offline' : '') + '" data-alarms>' + (firing ? firing + ' firing' : '') + '</td></tr>';
      });
      rows.innerHTML = html || '<tr><td colspan="8">no sources yet</td></tr>';
    });
  }
  refresh();
  setInterval(refresh, 10000);
})();
`;
