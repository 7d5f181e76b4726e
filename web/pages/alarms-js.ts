/** Browser script of the alarms page: every alarm state on `busbar/alarms/#`, firing first; every 5 s. */
export const ALARMS_JS = `
(function () {
  var ORDER = { firing: 0, pending: 1 };
  var rows = document.getElementById('alarms');
  function text(v) { return v === null || v === undefined ? '' : String(v).replace(/[&<>"]/g, function (c) {
    return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]; }); }
  function refresh() {
    fetch('/api/alarms', { credentials: 'same-origin' }).then(function (r) { return r.json(); }).then(function (alarms) {
      alarms.sort(function (a, b) {
        var oa = ORDER[a.state] === undefined ? 9 : ORDER[a.state], ob = ORDER[b.state] === undefined ? 9 : ORDER[b.state];
        return oa - ob || String(b.since).localeCompare(String(a.since));
      });
      rows.innerHTML = alarms.map(function (a) {
        var cls = a.state === 'firing' ? 'offline' : a.state === 'pending' ? 'unknown' : 'online';
        return '<tr data-alarm="' + text(a.rule + '/' + a.series) + '"><td class="' + cls + '">' + text(a.state) +
          '</td><td>' + text(a.severity) + '</td><td>' + text(a.rule) + '</td><td>' + text(a.series) +
          '</td><td>' + text(a.summary) + '</td><td>' + text(a.since) + '</td></tr>';
      }).join('') || '<tr><td colspan="6">no alarms</td></tr>';
    });
  }
  refresh();
  setInterval(refresh, 5000);
})();
`;
