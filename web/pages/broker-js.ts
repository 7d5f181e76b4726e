/**
 * Browser script of the broker page, live over `/api/events?state=stats,clients`: the broker's
 * statistics (`busbar/stats/broker`, the JSON copy of `$SYS`), a messages-per-second chart derived
 * from its received and sent counters between two publications, every connected client
 * (`busbar/broker/clients`) with its message counts, and every other component's statistics.
 * The client table's columns are described once, in CLIENT_COLUMNS, which also writes its head.
 */
export const BROKER_JS = `
(function () {
  var LABELS = [
    ['clientsConnected', 'clients connected'], ['clientsTotal', 'clients (with offline sessions)'],
    ['loadMessagesReceived1min', 'messages received /min (1 min average)'], ['messagesReceived', 'messages received'],
    ['messagesSent', 'messages sent'], ['subscriptionsCount', 'subscriptions'], ['uptime', 'uptime (s)'], ['version', 'version'],
  ];
  var MAX_SAMPLES = 360;
  /** Field of BrokerClientInfo (broker/clients-publisher.ts), heading, numeric, tooltip. */
  var CLIENT_COLUMNS = [
    ['clientId', 'client id'], ['username', 'username'], ['remoteAddress', 'remote address'],
    ['protocol', 'protocol'], ['listener', 'listener'], ['connectedSince', 'connected since'],
    ['subscriptions', 'subscriptions', true],
    ['published', 'published', true, 'messages the broker received from this client since it connected'],
    ['delivered', 'delivered', true, 'messages the broker sent to this client since it connected'],
    ['publishedPerSecond', 'published /s', true, 'messages per second it published between the two latest client lists'],
  ];
  function text(v) { return v === null || v === undefined ? '' : String(v).replace(/[&<>"]/g, function (c) {
    return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]; }); }
  function fmt(v) { return (Math.round(v * 10) / 10).toString(); }

  var box = document.getElementById('rate-chart');
  var rates = [[], [], []];
  var plot = new uPlot({
    width: Math.max(240, Math.min(1000, box.clientWidth - 14)), height: 200,
    series: [{}, { label: 'received /s', stroke: '#1f77b4', width: 1.5 }, { label: 'sent /s', stroke: '#d62728', width: 1.5 }],
    scales: { x: { time: true } },
    axes: [{}, { size: 60 }],
  }, rates, box.querySelector('.plot'));
  var last;

  /** A rate needs two publications of the counters; a restart (smaller counter) starts over. */
  function sample(broker) {
    if (typeof broker.messagesReceived !== 'number' || typeof broker.messagesSent !== 'number') return;
    var now = Date.now() / 1000;
    if (last && last.received === broker.messagesReceived && last.sent === broker.messagesSent && last.uptime === broker.uptime) return;
    if (last && now > last.time && broker.messagesReceived >= last.received && broker.messagesSent >= last.sent) {
      var dt = now - last.time;
      rates[0].push(now);
      rates[1].push((broker.messagesReceived - last.received) / dt);
      rates[2].push((broker.messagesSent - last.sent) / dt);
      if (rates[0].length > MAX_SAMPLES) rates.forEach(function (r) { r.shift(); });
      plot.setData(rates);
      var n = rates[0].length - 1;
      document.getElementById('rate-latest').textContent =
        'received: ' + fmt(rates[1][n]) + ' /s, sent: ' + fmt(rates[2][n]) + ' /s';
      document.body.setAttribute('data-rate-samples', rates[0].length);
    }
    last = { time: now, received: broker.messagesReceived, sent: broker.messagesSent, uptime: broker.uptime };
  }

  function showStats(stats) {
    var broker = stats.broker || {};
    sample(broker);
    document.getElementById('broker').innerHTML = LABELS.map(function (l) {
      var v = broker[l[0]];
      return '<tr><th>' + l[1] + '</th><td class="num" data-stat="' + l[0] + '">' +
        (typeof v === 'number' ? Math.round(v * 100) / 100 : text(v)) + '</td></tr>';
    }).join('');
    document.getElementById('components').innerHTML = Object.keys(stats).sort().filter(function (k) { return k !== 'broker'; })
      .map(function (k) {
        var s = stats[k];
        var summary = Object.keys(s).filter(function (f) { return typeof s[f] === 'number' || typeof s[f] === 'string'; })
          .slice(0, 8).map(function (f) { return f + '=' + text(s[f]); }).join(' ');
        return '<tr><td>' + text(k) + '</td><td>' + text(s.state || '') + '</td><td>' + summary + '</td></tr>';
      }).join('');
  }

  var clientsBody = document.getElementById('clients');
  clientsBody.parentNode.tHead.innerHTML = '<tr>' + CLIENT_COLUMNS.map(function (col) {
    return '<th' + (col[3] ? ' title="' + text(col[3]) + '"' : '') + '>' + text(col[1]) + '</th>';
  }).join('') + '</tr>';

  function clientCell(c, col) {
    var v = c[col[0]];
    var attrs = ' data-field="' + col[0] + '"' + (col[2] ? ' class="num"' : '');
    if (col[0] === 'connectedSince') {
      var since = new Date(v);
      if (isNaN(since)) return '<td' + attrs + '></td>';
      return '<td' + attrs + ' title="' + text(window.busbarCharts.utcTime(since.getTime())) + '">' +
        text(window.busbarCharts.localTime(since.getTime())) + '</td>';
    }
    return '<td' + attrs + '>' + text(v) + '</td>';
  }

  function showClients(clients) {
    clientsBody.innerHTML = clients.map(function (c) {
      return '<tr data-client="' + text(c.clientId) + '">' +
        CLIENT_COLUMNS.map(function (col) { return clientCell(c, col); }).join('') + '</tr>';
    }).join('') || '<tr><td colspan="' + CLIENT_COLUMNS.length + '">no MQTT clients connected</td></tr>';
  }

  var events = new EventSource('/api/events?state=stats,clients');
  events.addEventListener('stats', function (e) { showStats(JSON.parse(e.data)); });
  events.addEventListener('clients', function (e) { showClients(JSON.parse(e.data)); });
  events.onopen = function () { document.body.setAttribute('data-live', 'open'); };
})();
`;
