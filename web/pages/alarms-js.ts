/**
 * Browser script of the alarms page: every alarm state on `busbar/alarms/#`, firing first, marked
 * when an active silence matches it (`silencedBy`, computed by the server); the active silences with
 * a Remove button; a Silence button per alarm and a form for any silence; who acknowledged a firing
 * alarm (`ack`, from busbar/acks/#) and an Ack button on those nobody has. Live over
 * `/api/events?state=alarms,silences`; writing buttons only for the `write` role.
 */
export const ALARMS_JS = `
(function () {
  var ORDER = { firing: 0, pending: 1 };
  var rows = document.getElementById('alarms');
  var silenceRows = document.getElementById('silences');
  var errorBox = document.getElementById('silence-error');
  var canWrite = false;
  var alarms = [], silences = [];
  function text(v) { return v === null || v === undefined ? '' : String(v).replace(/[&<>"]/g, function (c) {
    return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]; }); }
  /** A time cell in the viewer's zone, the same time in UTC on hover. */
  function when(iso) {
    var ms = new Date(iso).getTime();
    if (isNaN(ms)) return '<td>' + text(iso) + '</td>';
    return '<td data-time="' + ms + '" title="' + text(window.busbarCharts.utcTime(ms)) + '">' + text(window.busbarCharts.localTime(ms)) + '</td>';
  }
  /** The series, linked to its chart around the alarm's time (alarm-link.js). */
  function seriesLink(a) {
    var href = window.busbarAlarmLink && window.busbarAlarmLink(a);
    return href ? '<a href="' + text(href) + '" title="chart around the alarm">' + text(a.series) + '</a>' : text(a.series);
  }
  function renderAlarms() {
    alarms.sort(function (a, b) {
      var oa = ORDER[a.state] === undefined ? 9 : ORDER[a.state], ob = ORDER[b.state] === undefined ? 9 : ORDER[b.state];
      return oa - ob || String(b.since).localeCompare(String(a.since));
    });
    rows.innerHTML = alarms.map(function (a, i) {
      var cls = a.state === 'firing' ? 'offline' : a.state === 'pending' ? 'unknown' : 'online';
      var active = a.state === 'firing' || a.state === 'pending';
      var silenced = active && a.silencedBy && a.silencedBy.length > 0;
      var action = canWrite && active && !silenced ? '<button data-silence="' + i + '">Silence</button>' : '';
      if (canWrite && a.state === 'firing' && !a.ack) action += '<button data-ack="' + i + '">Ack</button>';
      var ack = a.ack ? '<td data-acked title="' + text(a.ack.at + (a.ack.comment ? ' — ' + a.ack.comment : '')) + '">' +
        text(a.ack.by) + (a.ack.comment ? ': ' + text(a.ack.comment) : '') + '</td>' : '<td data-acked></td>';
      return '<tr data-alarm="' + text(a.rule + '/' + a.series) + '"' + (silenced ? ' class="silenced"' : '') +
        '><td class="' + cls + '">' + text(a.state) + '</td><td>' + text(a.severity) + '</td><td>' + text(a.rule) +
        '</td><td>' + seriesLink(a) + '</td><td>' + text(a.summary) + '</td>' + when(a.since) +
        '<td data-silenced title="' + text((a.silencedBy || []).join(', ')) + '">' + (silenced ? 'silenced' : '') +
        '</td>' + ack + '<td>' + action + '</td></tr>';
    }).join('') || '<tr><td colspan="9">no alarms</td></tr>';
  }
  function renderSilences() {
    silenceRows.innerHTML = silences.map(function (s) {
      var matchers = Object.keys(s.matchers).map(function (k) { return k + '=' + s.matchers[k]; }).join(', ');
      var action = canWrite ? '<button data-remove="' + text(s.id) + '">Remove</button>' : '';
      return '<tr data-silence-id="' + text(s.id) + '"><td>' + text(matchers) + '</td>' +
        when(s.endsAt) + '<td>' + text(s.createdBy) + '</td><td>' + text(s.comment) + '</td><td>' + action + '</td></tr>';
    }).join('') || '<tr><td colspan="5">no active silences</td></tr>';
  }
  function send(method, path, body) {
    errorBox.textContent = '';
    var init = { method: method, credentials: 'same-origin' };
    if (body) { init.headers = { 'content-type': 'application/json' }; init.body = JSON.stringify(body); }
    return fetch(path, init).then(function (r) {
      if (r.ok) return;
      return r.json().then(function (e) { errorBox.textContent = e.message || r.statusText; },
        function () { errorBox.textContent = r.status + ' ' + r.statusText; });
    });
  }
  rows.addEventListener('click', function (event) {
    var acked = event.target.getAttribute && event.target.getAttribute('data-ack');
    var toAck = acked === null || acked === undefined ? undefined : alarms[Number(acked)];
    if (toAck) {
      var comment = window.prompt('Acknowledge ' + toAck.rule + ' — comment (optional)', '');
      if (comment !== null) send('POST', '/api/acks', { rule: toAck.rule, series: toAck.series, comment: comment });
      return;
    }
    var index = event.target.getAttribute && event.target.getAttribute('data-silence');
    var a = index === null || index === undefined ? undefined : alarms[Number(index)];
    if (!a) return;
    send('POST', '/api/silences', { matchers: { rule: a.rule, series: a.series },
      duration: document.getElementById('alarm-duration').value, comment: 'from the alarms page' });
  });
  silenceRows.addEventListener('click', function (event) {
    var id = event.target.getAttribute && event.target.getAttribute('data-remove');
    if (id) send('DELETE', '/api/silences/' + encodeURIComponent(id));
  });
  var form = document.getElementById('silence-form');
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var matchers = {};
    form.elements.matchers.value.split(/[\\n,]/).forEach(function (line) {
      var at = line.indexOf('=');
      if (at > 0) matchers[line.slice(0, at).trim()] = line.slice(at + 1).trim();
    });
    var body = { matchers: matchers, comment: form.elements.comment.value };
    var endsAt = form.elements.endsAt.value;
    if (endsAt) body.endsAt = new Date(endsAt).toISOString(); else body.duration = form.elements.duration.value;
    send('POST', '/api/silences', body).then(function () { if (!errorBox.textContent) form.reset(); });
  });
  fetch('/api/whoami', { credentials: 'same-origin' }).then(function (r) { return r.json(); }).then(function (me) {
    canWrite = me.role === 'write';
    document.body.classList.toggle('read-only', !canWrite);
    renderAlarms();
    renderSilences();
    var events = new EventSource('/api/events?state=alarms,silences');
    events.addEventListener('alarms', function (e) { alarms = JSON.parse(e.data); renderAlarms(); });
    events.addEventListener('silences', function (e) { silences = JSON.parse(e.data); renderSilences(); });
    events.onopen = function () { document.body.setAttribute('data-live', 'open'); };
  });
})();
`;
