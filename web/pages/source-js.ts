/**
 * Browser script of a source's page: one uPlot chart per measurement (CPU, memory, disk, network
 * first, then the others) over the chosen range, and live values over SSE appended to the charts
 * and shown next to each series' name.
 */
export const SOURCE_JS = `
(function () {
  var page = JSON.parse(document.getElementById('page-data').textContent);
  var source = page.source;
  var FIRST = ['cpu', 'mem', 'disk', 'diskio', 'net', 'system'];
  var MAX_SERIES = 12;
  var charts = {};
  var container = document.getElementById('charts');
  var rangeSelect = document.getElementById('range');
  function esc(part) { return part.replace(/[\\\\/{]/g, '\\\\$&'); }
  function get(path) { return fetch(path, { credentials: 'same-origin' }).then(function (r) { return r.json(); }); }
  function label(s) { var t = Object.keys(s.tags).filter(function (k) { return k !== 'host'; })
    .map(function (k) { return s.tags[k]; }).join(','); return s.field + (t ? ' ' + t : ''); }
  function fmt(v) { return (Math.round(v * 100) / 100).toString(); }

  function draw(measurement, result) {
    var box = document.createElement('div');
    box.className = 'chart';
    box.setAttribute('data-measurement', measurement);
    box.innerHTML = '<h2></h2><div class="latest"></div><div class="plot"></div>';
    box.querySelector('h2').textContent = measurement;
    container.appendChild(box);
    var list = result.slice(0, MAX_SERIES);
    var times = {};
    list.forEach(function (r) { r.points.forEach(function (p) { times[p.time] = true; }); });
    var xs = Object.keys(times).map(Number).sort(function (a, b) { return a - b; });
    var index = {};
    xs.forEach(function (t, i) { index[t] = i; });
    var data = [xs.map(function (t) { return t / 1000; })];
    var latest = box.querySelector('.latest');
    list.forEach(function (r) {
      var ys = xs.map(function () { return null; });
      r.points.forEach(function (p) { ys[index[p.time]] = typeof p.value === 'number' ? p.value : null; });
      data.push(ys);
      var span = document.createElement('span');
      span.setAttribute('data-latest', r.series.name);
      var last = r.points[r.points.length - 1];
      span.textContent = label(r.series) + ': ' + (last && typeof last.value === 'number' ? fmt(last.value) : '–');
      latest.appendChild(span);
    });
    var colors = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
    var opts = {
      width: Math.max(500, box.clientWidth - 12), height: 220,
      series: [{}].concat(list.map(function (r, i) {
        return { label: label(r.series), stroke: colors[i % colors.length], width: 1.5, spanGaps: true };
      })),
      scales: { x: { time: true } },
      axes: [{}, { size: 70 }],
    };
    var plot = new uPlot(opts, data, box.querySelector('.plot'));
    charts[measurement] = { plot: plot, data: data, names: list.map(function (r) { return r.series.name; }), box: box };
  }

  function load() {
    container.innerHTML = '';
    charts = {};
    var from = rangeSelect.value;
    get('/api/series?pattern=' + encodeURIComponent(esc(source) + '/*')).then(function (series) {
      var measurements = [];
      series.forEach(function (s) { if (measurements.indexOf(s.measurement) < 0 && s.type !== 'string') measurements.push(s.measurement); });
      measurements.sort(function (a, b) {
        var ia = FIRST.indexOf(a), ib = FIRST.indexOf(b);
        return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || (a < b ? -1 : a > b ? 1 : 0);
      });
      return measurements.reduce(function (chain, m) {
        return chain.then(function () {
          return get('/api/range?points=600&from=' + encodeURIComponent(from) + '&pattern=' +
            encodeURIComponent(esc(source) + '/' + esc(m) + '/*')).then(function (r) { draw(m, r); });
        });
      }, Promise.resolve());
    }).then(function () { document.body.setAttribute('data-charts-ready', Object.keys(charts).length); });
  }

  function live(event) {
    var point = JSON.parse(event.data);
    var span = document.querySelector('[data-latest="' + CSS.escape(point.name) + '"]');
    if (span) span.textContent = span.textContent.replace(/: .*$/, ': ' + fmt(point.value));
    Object.keys(charts).forEach(function (m) {
      var chart = charts[m];
      var i = chart.names.indexOf(point.name);
      if (i < 0) return;
      chart.data[0].push(point.time / 1000);
      for (var k = 1; k < chart.data.length; k++) chart.data[k].push(k === i + 1 ? point.value : null);
      chart.plot.setData(chart.data);
    });
  }

  rangeSelect.addEventListener('change', load);
  load();
  var events = new EventSource('/api/events?source=' + encodeURIComponent(source));
  events.onmessage = live;
  events.onopen = function () { document.body.setAttribute('data-live', 'open'); };
})();
`;
