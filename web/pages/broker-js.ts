/**
 * Browser script of the broker page: the broker's statistics (`busbar/stats/broker`, the JSON copy of
 * `$SYS`) and every other component's, every 5 s.
 */
export const BROKER_JS = `
(function () {
  var LABELS = [
    ['clientsConnected', 'clients connected'], ['clientsTotal', 'clients (with offline sessions)'],
    ['loadMessagesReceived1min', 'messages received /min (1 min average)'], ['messagesReceived', 'messages received'],
    ['messagesSent', 'messages sent'], ['subscriptionsCount', 'subscriptions'], ['uptime', 'uptime (s)'], ['version', 'version'],
  ];
  function text(v) { return String(v).replace(/[&<>"]/g, ''); }
  function refresh() {
    fetch('/api/stats', { credentials: 'same-origin' }).then(function (r) { return r.json(); }).then(function (stats) {
      var broker = stats.broker || {};
      document.getElementById('broker').innerHTML = LABELS.map(function (l) {
        var v = broker[l[0]];
        return '<tr><th>' + l[1] + '</th><td class="num" data-stat="' + l[0] + '">' +
          (typeof v === 'number' ? Math.round(v * 100) / 100 : v === undefined ? '' : text(v)) + '</td></tr>';
      }).join('');
      document.getElementById('components').innerHTML = Object.keys(stats).sort().filter(function (k) { return k !== 'broker'; })
        .map(function (k) {
          var s = stats[k];
          var summary = Object.keys(s).filter(function (f) { return typeof s[f] === 'number' || typeof s[f] === 'string'; })
            .slice(0, 8).map(function (f) { return f + '=' + text(s[f]); }).join(' ');
          return '<tr><td>' + text(k) + '</td><td>' + text(s.state || '') + '</td><td>' + summary + '</td></tr>';
        }).join('');
    });
  }
  refresh();
  setInterval(refresh, 5000);
})();
`;
