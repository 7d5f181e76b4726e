/**
 * Browser script of a source's page, a host dashboard: a facts panel from the source's inventory,
 * then one chart per concept with its unit (PANELS: CPU by state, memory, swap, disk use, disk I/O,
 * network, load per core, temperatures, processes, top processes), then every other field grouped by
 * measurement and unit, so no series is left out. The range (presets, custom, or dragged on a chart)
 * and the auto-refresh live in the URL; live values arrive over SSE and extend the charts.
 */
(function () {
  var C = window.busbarCharts;
  var page = JSON.parse(document.getElementById('page-data').textContent);
  var source = page.source;
  function without(prefix) {
    return function (s) {
      return s.field.indexOf(prefix) === 0 ? s.field.slice(prefix.length) : s.field;
    };
  }
  function tag(name) {
    return function (s) {
      return s.tags[name] || '';
    };
  }
  function tagged(name, what) {
    return function (s) {
      return (s.tags[name] || '') + ' ' + what(s);
    };
  }
  var IN_OUT = {
    bytes_recv_per_sec: 'in',
    bytes_sent_per_sec: 'out',
    read_bytes_per_sec: 'read',
    write_bytes_per_sec: 'write',
    reads_per_sec: 'read',
    writes_per_sec: 'write',
  };
  function direction(s) {
    return IN_OUT[s.field] || s.field;
  }
  function processName(s) {
    var n = s.tags.process_name || s.tags.process_id || s.name;
    return n === '_other' ? 'all others' : n;
  }
  /**
   * The dashboard: per concept, its measurement, fields (in order), unit, and how series are named.
   * 'where' picks series by tags; 'scale' converts (bytes/s to bits/s); 'sort' ranks top-N lists.
   */
  var PANELS = [
    {
      id: 'cpu',
      title: 'CPU by state',
      m: 'cpu',
      unit: '%',
      stacked: true,
      max: 100,
      fields: [
        'usage_user',
        'usage_system',
        'usage_nice',
        'usage_iowait',
        'usage_irq',
        'usage_softirq',
        'usage_steal',
        'usage_guest',
        'usage_guest_nice',
      ],
      where: function (t) {
        return !t.cpu || t.cpu === 'cpu-total';
      },
      label: without('usage_'),
    },
    {
      id: 'cpu-cores',
      title: 'CPU per core (active)',
      m: 'cpu',
      unit: '%',
      max: 100,
      fields: ['usage_active'],
      where: function (t) {
        return t.cpu && t.cpu !== 'cpu-total';
      },
      label: tag('cpu'),
    },
    {
      id: 'mem',
      title: 'Memory',
      m: 'mem',
      unit: 'bytes',
      stacked: true,
      fields: ['used', 'buffered', 'cached', 'free'],
      label: function (s) {
        return s.field;
      },
    },
    {
      id: 'swap',
      title: 'Swap',
      m: 'swap',
      unit: 'bytes',
      stacked: true,
      fields: ['used', 'free'],
      label: function (s) {
        return s.field;
      },
    },
    {
      id: 'disk',
      title: 'Disk used (free space in the legend)',
      m: 'disk',
      unit: '%',
      max: 100,
      fields: ['used_percent'],
      label: tag('path'),
      free: true,
    },
    {
      id: 'diskio',
      title: 'Disk I/O',
      m: 'diskio',
      unit: 'B/s',
      fields: ['read_bytes_per_sec', 'write_bytes_per_sec'],
      label: tagged('name', direction),
    },
    {
      id: 'iops',
      title: 'Disk IOPS',
      m: 'diskio',
      unit: 'IOPS',
      fields: ['reads_per_sec', 'writes_per_sec'],
      label: tagged('name', direction),
    },
    {
      id: 'net',
      title: 'Network',
      m: 'net',
      unit: 'bit/s',
      scale: 8,
      fields: ['bytes_recv_per_sec', 'bytes_sent_per_sec'],
      label: tagged('interface', direction),
    },
    {
      id: 'load',
      title: 'Load per core',
      m: 'system',
      unit: 'number',
      fields: ['load1', 'load5', 'load15'],
      label: function (s) {
        return s.field + ' / core';
      },
      perCore: true,
    },
    { id: 'temp', title: 'Temperatures', m: 'temp', unit: '°C', fields: ['temp'], label: tag('sensor') },
    {
      id: 'processes',
      title: 'Processes by state',
      m: 'processes',
      unit: 'number',
      stacked: true,
      fields: ['running', 'blocked', 'zombies', 'stopped', 'sleeping', 'idle'],
      label: function (s) {
        return s.field;
      },
    },
    {
      id: 'top-cpu',
      title: 'Top processes by CPU (% of one core)',
      m: 'procstat',
      unit: '%',
      fields: ['cpu_usage'],
      label: processName,
      sort: true,
    },
    {
      id: 'top-mem',
      title: 'Top processes by memory (resident)',
      m: 'procstat',
      unit: 'bytes',
      fields: ['memory_rss'],
      label: processName,
      sort: true,
    },
  ];
  var DASHBOARD = PANELS.map(function (p) {
    return p.m;
  });
  var PRESETS = ['15m', '1h', '6h', '24h', '7d', '30d'];
  var REFRESH = ['off', '10s', '30s', '1m', '5m'];
  var UNIT_MS = { s: 1000, m: 60000, h: 3600000, d: 86400000, w: 604800000 };

  var container = document.getElementById('charts');
  var others = document.getElementById('other-charts');
  var facts = document.getElementById('facts');
  var charts = [];
  var inventory = null;

  function esc(part) {
    return part.replace(/[\\/{]/g, '\\$&');
  }
  function get(path) {
    return fetch(path, { credentials: 'same-origin' }).then(function (r) {
      return r.ok ? r.json() : null;
    });
  }
  function span(text) {
    var m = /^-(\d+)([smhdw])$/.exec(text || '');
    return m ? Number(m[1]) * UNIT_MS[m[2]] : undefined;
  }
  function absolute(text, now) {
    if (text === undefined || text === null || text === '' || text === 'now') return now;
    var rel = span(text);
    if (rel !== undefined) return now - rel;
    var n = Number(text);
    return isFinite(n) ? n : Date.parse(text);
  }

  // An alarm's link names its series (#series=<name>, alarm-link.ts): its chart is picked out once.
  var target = (/^#series=(.+)$/.exec(location.hash) || [])[1];
  target = target ? decodeURIComponent(target) : undefined;
  function pickTarget() {
    if (!target) return;
    var name = target;
    target = undefined;
    var hit = charts.filter(function (c) {
      return c.spec.series.some(function (s) {
        return s.name === name;
      });
    })[0];
    if (!hit) return;
    hit.box.classList.add('target');
    hit.box.setAttribute('data-target-series', name);
    var details = hit.box.closest('details');
    if (details) details.open = true;
    hit.box.scrollIntoView({ block: 'center' });
  }

  // The range: from/to as in the URL ('-1h' and 'now', or epoch milliseconds), and auto-refresh.
  var params = new URLSearchParams(location.search);
  var range = {
    from: params.get('from') || '-1h',
    to: params.get('to') || 'now',
    refresh: params.get('refresh') || '1m',
  };
  function resolved() {
    var now = Date.now();
    return { from: absolute(range.from, now), to: absolute(range.to, now) };
  }
  function live() {
    return range.to === 'now';
  }
  function toUrl(push) {
    var q = new URLSearchParams({ from: range.from, to: range.to, refresh: range.refresh });
    var url = location.pathname + '?' + q.toString();
    if (push) history.pushState(range, '', url);
    else history.replaceState(range, '', url);
  }

  var presetSelect = document.getElementById('range');
  var refreshSelect = document.getElementById('refresh');
  var fromInput = document.getElementById('custom-from');
  var toInput = document.getElementById('custom-to');
  function localInput(ms) {
    var d = new Date(ms - new Date(ms).getTimezoneOffset() * 60000);
    return d.toISOString().slice(0, 16);
  }
  function showRange() {
    var preset =
      PRESETS.indexOf((range.from || '').slice(1)) >= 0 && range.to === 'now' ? range.from : 'custom';
    presetSelect.value = preset;
    var r = resolved();
    fromInput.value = localInput(r.from);
    toInput.value = localInput(r.to);
    refreshSelect.value = range.refresh;
    var shown = document.getElementById('range-shown');
    shown.textContent = C.localTime(r.from) + ' – ' + (live() ? 'now' : C.localTime(r.to));
    shown.title = C.utcTime(r.from) + ' – ' + C.utcTime(r.to);
  }
  presetSelect.innerHTML =
    PRESETS.map(function (p) {
      return '<option value="-' + p + '">last ' + p + '</option>';
    }).join('') + '<option value="custom">custom</option>';
  refreshSelect.innerHTML = REFRESH.map(function (r) {
    return '<option value="' + r + '">' + r + '</option>';
  }).join('');
  presetSelect.addEventListener('change', function () {
    if (presetSelect.value === 'custom') {
      document.getElementById('custom').open = true;
      return;
    }
    setRange({ from: presetSelect.value, to: 'now' });
  });
  refreshSelect.addEventListener('change', function () {
    range.refresh = refreshSelect.value;
    toUrl(false);
    schedule();
  });
  document.getElementById('custom-apply').addEventListener('click', function () {
    var from = new Date(fromInput.value).getTime(),
      to = new Date(toInput.value).getTime();
    if (isFinite(from) && isFinite(to) && from < to) setRange({ from: String(from), to: String(to) });
  });
  function setRange(next) {
    range.from = next.from;
    range.to = next.to;
    toUrl(true);
    load();
  }
  window.addEventListener('popstate', function () {
    var q = new URLSearchParams(location.search);
    range = { from: q.get('from') || '-1h', to: q.get('to') || 'now', refresh: q.get('refresh') || '1m' };
    load();
  });
  function zoom(from, to) {
    setRange({ from: String(from), to: String(to) });
  }

  var timer;
  function schedule() {
    clearTimeout(timer);
    var every = span('-' + range.refresh);
    if (every && live())
      timer = setTimeout(function () {
        load();
      }, every);
  }

  /** Series of one panel out of a measurement's, each with its points converted. */
  function panelSeries(panel, results) {
    var list = results.filter(function (r) {
      return panel.fields.indexOf(r.series.field) >= 0 && (!panel.where || panel.where(r.series.tags));
    });
    var cores = panel.perCore ? coreCount(results) : undefined;
    var free = {};
    if (panel.free)
      results.forEach(function (r) {
        if (r.series.field === 'free' && r.points.length)
          free[r.series.tags.path] = r.points[r.points.length - 1].value;
      });
    var out = list.map(function (r) {
      var factor = panel.scale || 1;
      if (cores) factor = factor / cores;
      var label = panel.label(r.series);
      if (panel.free && free[r.series.tags.path] !== undefined)
        label += ' (' + C.format(free[r.series.tags.path], 'bytes') + ' free)';
      return {
        name: r.series.name,
        field: r.series.field,
        label: label,
        factor: factor,
        used: r,
        points: r.points.map(function (p) {
          return { time: p.time, value: typeof p.value === 'number' ? p.value * factor : null };
        }),
      };
    });
    function last(s) {
      var p = s.points[s.points.length - 1];
      return p && typeof p.value === 'number' ? p.value : -1;
    }
    if (panel.sort)
      out.sort(function (a, b) {
        return last(b) - last(a);
      });
    else
      out.sort(function (a, b) {
        return (
          panel.fields.indexOf(a.field) - panel.fields.indexOf(b.field) ||
          (a.label < b.label ? -1 : a.label > b.label ? 1 : 0)
        );
      });
    return out;
  }
  function coreCount(results) {
    var n = results.filter(function (r) {
      return r.series.field === 'n_cpus' && r.points.length;
    })[0];
    var fromSeries = n ? n.points[n.points.length - 1].value : undefined;
    return fromSeries || (inventory && inventory.cpu && inventory.cpu.cores) || undefined;
  }

  function chartBox(parent, id, title) {
    var box = document.createElement('div');
    box.className = 'chart';
    box.setAttribute('data-chart', id);
    var h = document.createElement('h2');
    h.textContent = title;
    var plot = document.createElement('div');
    plot.className = 'plot';
    box.appendChild(h);
    box.appendChild(plot);
    parent.appendChild(box);
    return box;
  }

  function addChart(parent, id, title, spec, measurement) {
    touched[id] = true;
    var existing = charts.filter(function (c) {
      return c.id === id;
    })[0];
    var names = spec.series
      .map(function (s) {
        return s.name;
      })
      .join('\n');
    if (existing) {
      existing.spec = spec;
      existing.box.querySelector('h2').textContent = title;
      // uPlot's series are fixed when it is made: a changed set of series makes a new chart.
      if (existing.names === names) existing.handle.update(spec);
      else {
        existing.handle.plot.destroy();
        existing.handle = C.draw(existing.box, spec, zoom);
        existing.names = names;
      }
      return;
    }
    var box = chartBox(parent, id, title);
    box.setAttribute('data-measurement', measurement);
    charts.push({ id: id, box: box, spec: spec, names: names, handle: C.draw(box, spec, zoom) });
  }
  var touched = {};
  /** Charts whose series all left the range are removed. */
  function dropUntouched() {
    charts = charts.filter(function (c) {
      if (touched[c.id]) return true;
      c.handle.plot.destroy();
      c.box.remove();
      return false;
    });
  }

  function groupOthers(measurement, rest) {
    var byUnit = {};
    rest.forEach(function (r) {
      if (typeof (r.points[0] || {}).value === 'string') return;
      var unit = C.unitOf(measurement, r.series.field);
      (byUnit[unit] = byUnit[unit] || []).push(r);
    });
    return Object.keys(byUnit)
      .sort()
      .map(function (unit) {
        return {
          unit: unit,
          series: byUnit[unit].map(function (r) {
            var t = Object.keys(r.series.tags)
              .filter(function (k) {
                return k !== 'host';
              })
              .map(function (k) {
                return r.series.tags[k];
              })
              .join(',');
            return {
              name: r.series.name,
              label: r.series.field + (t ? ' ' + t : ''),
              factor: 1,
              points: r.points,
            };
          }),
        };
      });
  }

  function showFacts(measurements) {
    if (!inventory) {
      facts.hidden = true;
      return;
    }
    facts.hidden = false;
    var i = inventory,
      rows = [];
    function add(name, value) {
      if (value !== undefined && value !== null && value !== '') rows.push([name, String(value)]);
    }
    if (i.cpu) {
      add('CPU', [i.cpu.manufacturer, i.cpu.brand].filter(Boolean).join(' '));
      add('cores', i.cpu.cores + (i.cpu.physicalCores ? ' (' + i.cpu.physicalCores + ' physical)' : ''));
      if (i.cpu.speedGHz)
        add(
          'frequency',
          i.cpu.speedGHz + ' GHz' + (i.cpu.speedMaxGHz ? ' (max ' + i.cpu.speedMaxGHz + ' GHz)' : ''),
        );
    }
    if (i.memory) {
      add('memory', C.format(i.memory.total, 'bytes'));
      if (i.memory.swapTotal) add('swap', C.format(i.memory.swapTotal, 'bytes'));
    }
    (i.disks || []).forEach(function (d) {
      add(
        'disk ' + d.name,
        C.format(d.size, 'bytes') +
          (d.model ? ' ' + d.model : '') +
          (d.physical ? ' (' + d.physical + ')' : ''),
      );
    });
    if (i.os)
      add(
        'OS',
        [i.os.distro, i.os.release, i.os.arch].filter(Boolean).join(' ') +
          (i.os.kernel ? ', kernel ' + i.os.kernel : ''),
      );
    if (i.system)
      add(
        'system',
        [i.system.manufacturer, i.system.model].filter(Boolean).join(' ') +
          (i.system.virtual ? ' (virtual)' : ''),
      );
    var uptime = (measurements.system || []).filter(function (r) {
      return r.series.field === 'uptime' && r.points.length;
    })[0];
    if (uptime) add('uptime', C.format(uptime.points[uptime.points.length - 1].value, 's'));
    if (i.agent) add('agent', i.agent.version);
    var dl = document.createElement('dl');
    rows.forEach(function (row) {
      var dt = document.createElement('dt'),
        dd = document.createElement('dd');
      dt.textContent = row[0];
      dd.textContent = row[1];
      dd.setAttribute('data-fact', row[0]);
      dl.appendChild(dt);
      dl.appendChild(dd);
    });
    facts.querySelector('dl').replaceWith(dl);
  }

  var loading = false;
  function load() {
    if (loading) return;
    loading = true;
    clearTimeout(timer);
    showRange();
    var r = resolved();
    var q = '&from=' + r.from + '&to=' + r.to + '&points=600';
    Promise.all([
      get('/api/series?pattern=' + encodeURIComponent(esc(source) + '/*')),
      get('/api/inventory/' + encodeURIComponent(source)),
    ])
      .then(function (answers) {
        var series = answers[0] || [];
        inventory = answers[1];
        var names = [];
        series.forEach(function (s) {
          if (names.indexOf(s.measurement) < 0 && s.type !== 'string') names.push(s.measurement);
        });
        return Promise.all(
          names.map(function (m) {
            return get(
              '/api/range?pattern=' + encodeURIComponent(esc(source) + '/' + esc(m) + '/*') + q,
            ).then(function (result) {
              return [m, result || []];
            });
          }),
        );
      })
      .then(function (pairs) {
        var measurements = {};
        touched = {};
        pairs.forEach(function (p) {
          measurements[p[0]] = p[1];
        });
        showFacts(measurements);
        var seen = {};
        PANELS.forEach(function (panel) {
          var results = measurements[panel.m];
          if (!results) return;
          var list = panelSeries(panel, results);
          list.forEach(function (s) {
            seen[s.name] = true;
          });
          if (list.length === 0) return;
          var title = panel.title;
          if (panel.perCore) {
            var n = coreCount(results);
            title += n ? ' (' + n + ' cores)' : ' (core count unknown)';
            if (!n)
              list.forEach(function (s) {
                s.label = s.field;
              });
          }
          addChart(
            container,
            panel.id,
            title,
            {
              unit: panel.unit,
              stacked: panel.stacked,
              max: panel.max,
              from: r.from,
              to: r.to,
              series: list,
            },
            panel.m,
          );
        });
        Object.keys(measurements)
          .sort()
          .forEach(function (m) {
            var rest = measurements[m].filter(function (x) {
              return !seen[x.series.name];
            });
            var parent = DASHBOARD.indexOf(m) >= 0 ? others : container;
            groupOthers(m, rest).forEach(function (group) {
              addChart(
                parent,
                m + ':' + group.unit,
                m + ' (' + group.unit + ')',
                { unit: group.unit, from: r.from, to: r.to, series: group.series },
                m,
              );
            });
          });
        dropUntouched();
        var otherCount = others.querySelectorAll('.chart').length;
        document.getElementById('other-count').textContent = otherCount;
        others.parentElement.hidden = otherCount === 0;
        document.getElementById('empty').hidden = charts.length > 0;
        document.body.setAttribute('data-charts-ready', String(charts.length));
        document.body.setAttribute('data-range', r.from + '-' + r.to);
        pickTarget();
      })
      .finally(function () {
        loading = false;
        schedule();
      });
  }

  /** A live value: appended to every chart holding its series, and the window slides to now. */
  var pending = false;
  function onLive(event) {
    if (!live()) return;
    var point = JSON.parse(event.data);
    charts.forEach(function (chart) {
      chart.spec.series.forEach(function (s) {
        if (s.name !== point.name) return;
        var lastPoint = s.points[s.points.length - 1];
        if (lastPoint && lastPoint.time >= point.time) return;
        s.points.push({ time: point.time, value: point.value * (s.factor || 1) });
        chart.dirty = true;
      });
    });
    if (pending) return;
    pending = true;
    requestAnimationFrame(function () {
      pending = false;
      var r = resolved();
      charts.forEach(function (chart) {
        if (!chart.dirty) return;
        chart.dirty = false;
        chart.spec.from = r.from;
        chart.spec.to = r.to;
        chart.handle.update(chart.spec);
      });
    });
  }

  var resizeTimer;
  function resizeAll() {
    charts.forEach(function (c) {
      c.handle.resize();
    });
  }
  window.addEventListener('resize', function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(resizeAll, 100);
  });
  // Charts drawn in the closed "other fields" box had no width yet.
  others.parentElement.addEventListener('toggle', resizeAll);
  toUrl(false);
  load();
  var events = new EventSource('/api/events?source=' + encodeURIComponent(source));
  events.onmessage = onLive;
  events.onopen = function () {
    document.body.setAttribute('data-live', 'open');
  };
})();
