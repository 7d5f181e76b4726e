/**
 * Browser script shared by the pages that draw charts (`window.busbarCharts`, used by the source
 * and alarms pages' scripts; bundled as /static/charts.js): units and their
 * formatting (binary prefixes for bytes, decimal for bits and counts), the unit a field's name
 * implies, a palette of distinct colours, times in the viewer's zone, and `draw`, which makes one
 * uPlot chart with a unit on its y axis, an x axis spanning the chosen range, a legend whose rows
 * toggle their series, and at most MAX_SHOWN series shown until its "N more" button is pressed.
 */
/* global uPlot */
import { localTime, utcTime } from './time.js';

(function () {
  var MAX_SHOWN = 12;
  var BIN = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];
  var SI = ['', 'k', 'M', 'G', 'T', 'P', 'E'];
  /** 20 colours told apart easily (Tableau 20 reordered, dark first), then golden-angle hues. */
  var PALETTE = [
    '#1f77b4',
    '#ff7f0e',
    '#2ca02c',
    '#d62728',
    '#9467bd',
    '#8c564b',
    '#e377c2',
    '#7f7f7f',
    '#bcbd22',
    '#17becf',
    '#aec7e8',
    '#ffbb78',
    '#98df8a',
    '#ff9896',
    '#c5b0d5',
    '#c49c94',
    '#f7b6d2',
    '#393b79',
    '#dbdb8d',
    '#9edae5',
  ];
  function color(i) {
    return i < PALETTE.length ? PALETTE[i] : 'hsl(' + Math.round((i * 137.508) % 360) + ',65%,50%)';
  }

  /** Three significant digits at most, never an exponent. */
  function num(v) {
    var a = Math.abs(v);
    if (a === 0) return '0';
    if (a >= 100) return String(Math.round(v));
    if (a >= 10) return String(Math.round(v * 10) / 10);
    if (a >= 1) return String(Math.round(v * 100) / 100);
    return String(Number(v.toPrecision(2)));
  }
  function prefixed(v, base, prefixes, suffix) {
    var i = 0;
    while (Math.abs(v) >= base && i < prefixes.length - 1) {
      v /= base;
      i++;
    }
    return (num(v) + ' ' + prefixes[i] + suffix).trim();
  }
  function duration(s) {
    var a = Math.abs(s);
    if (a < 120) return num(s) + ' s';
    if (a < 7200) return num(s / 60) + ' min';
    if (a < 172800) return num(s / 3600) + ' h';
    return num(s / 86400) + ' d';
  }
  var UNITS = {
    bytes: function (v) {
      return prefixed(v, 1024, BIN, 'B');
    },
    'B/s': function (v) {
      return prefixed(v, 1024, BIN, 'B/s');
    },
    'bit/s': function (v) {
      return prefixed(v, 1000, SI, 'bit/s');
    },
    '%': function (v) {
      return num(v) + ' %';
    },
    '°C': function (v) {
      return num(v) + ' °C';
    },
    s: duration,
    ms: function (v) {
      return Math.abs(v) >= 1000 ? duration(v / 1000) : num(v) + ' ms';
    },
    '/s': function (v) {
      return prefixed(v, 1000, SI, '/s');
    },
    IOPS: function (v) {
      return prefixed(v, 1000, SI, 'IOPS');
    },
    number: function (v) {
      return prefixed(v, 1000, SI, '');
    },
  };
  /** Tick steps for byte axes: powers of two of each binary prefix (4 GiB, 8 GiB, not 9.31 GiB). */
  var BINARY_STEPS = [];
  for (var k = 0; k < 7; k++) for (var m = 1; m < 1024; m *= 2) BINARY_STEPS.push(m * Math.pow(1024, k));
  var DECIMAL_STEPS = [];
  for (var e = -3; e < 19; e++)
    [1, 2, 2.5, 5].forEach(function (f) {
      DECIMAL_STEPS.push(Number((f * Math.pow(10, e)).toPrecision(3)));
    });
  function format(v, unit) {
    if (typeof v !== 'number' || !isFinite(v)) return '–';
    return (UNITS[unit] || UNITS.number)(v);
  }

  /** The unit a field's name implies (Telegraf's and busbar's naming), 'number' when it says none. */
  var BYTE_FIELDS = ['total', 'used', 'free', 'available', 'buffered', 'cached', 'memory_rss', 'memory_vms'];
  var BYTE_MEASUREMENTS = ['mem', 'swap', 'disk', 'procstat'];
  function unitOf(measurement, field) {
    var f = field.toLowerCase();
    if (f.indexOf('percent') >= 0 || /(^usage_|_usage$|_pct$)/.test(f)) return '%';
    if (/bits?_(per_sec|per_second)$/.test(f)) return 'bit/s';
    if (/bytes?_(per_sec|per_second)$/.test(f)) return 'B/s';
    if (/(_per_sec|_per_second|_rate)$/.test(f)) return '/s';
    if (f.indexOf('bytes') >= 0) return 'bytes';
    if (BYTE_MEASUREMENTS.indexOf(measurement) >= 0 && BYTE_FIELDS.indexOf(f) >= 0) return 'bytes';
    if (/(temp|celsius)/.test(f)) return '°C';
    if (/(uptime|_seconds$)/.test(f)) return 's';
    if (/_ms$/.test(f)) return 'ms';
    return 'number';
  }

  function zone() {
    try {
      return Intl.DateTimeFormat().resolvedOptions().timeZone || '';
    } catch {
      return '';
    }
  }
  function css(name, fallback) {
    var v = getComputedStyle(document.body).getPropertyValue(name).trim();
    return v || fallback;
  }

  /**
   * Builds uPlot's data: the union of the series' times, and per series its values at those times.
   * Stacked charts hold cumulative sums (drawn last to first, so each band shows), and the legend
   * shows each series' own value from 'raw'.
   */
  function columns(series, stacked) {
    var seen = {};
    series.forEach(function (s) {
      s.points.forEach(function (p) {
        seen[p.time] = true;
      });
    });
    var xs = Object.keys(seen)
      .map(Number)
      .sort(function (a, b) {
        return a - b;
      });
    var at = {};
    xs.forEach(function (t, i) {
      at[t] = i;
    });
    var raw = series.map(function (s) {
      var ys = xs.map(function () {
        return null;
      });
      s.points.forEach(function (p) {
        if (typeof p.value === 'number') ys[at[p.time]] = p.value;
      });
      return ys;
    });
    var drawn = raw;
    if (stacked) {
      var sum = xs.map(function () {
        return 0;
      });
      drawn = raw.map(function (ys) {
        return ys.map(function (y, i) {
          if (y === null) return null;
          sum[i] += y;
          return sum[i];
        });
      });
    }
    return {
      xs: xs,
      raw: raw,
      data: [
        xs.map(function (t) {
          return t / 1000;
        }),
      ].concat(drawn),
    };
  }

  function showLast(u) {
    var n = u.data[0].length;
    if (n > 0 && !(u.cursor.left >= 0)) u.setLegend({ idx: n - 1 });
  }

  /**
   * One chart in 'box': spec = { unit, stacked, max, from, to (ms), series: [{ name, label, points }] },
   * 'onZoom(fromMs, toMs)' called when a range is dragged. Returns { update(spec) }.
   */
  function draw(box, spec, onZoom) {
    var plotBox = box.querySelector('.plot');
    var shownAll = spec.series.length <= MAX_SHOWN;
    var cols = columns(spec.series, spec.stacked);
    var fmt = function (v) {
      return format(v, spec.unit);
    };
    var fg = css('--fg', '#222'),
      grid = css('--grid', '#0000001a');
    var uplotSeries = [
      {
        value: function (u, v) {
          return v === null || v === undefined ? '–' : localTime(v * 1000);
        },
      },
    ].concat(
      spec.series.map(function (s, i) {
        var c = color(i);
        return {
          label: s.label,
          stroke: c,
          width: 1.5,
          spanGaps: true,
          show: i < MAX_SHOWN,
          fill: spec.stacked ? c + '55' : undefined,
          value: function (u, v, si, idx) {
            var r = idx === null || idx === undefined ? null : cols.raw[si - 1][idx];
            return fmt(r);
          },
        };
      }),
    );
    function width() {
      return Math.max(240, box.clientWidth - 14);
    }
    var opts = {
      width: width(),
      height: 220,
      series: uplotSeries,
      scales: {
        x: {
          time: true,
          range: function () {
            return [spec.from / 1000, spec.to / 1000];
          },
        },
        y: {
          range: function (u, min, max) {
            var lo = Math.min(0, min === null ? 0 : min);
            var hi = max === null || max <= lo ? lo + 1 : max * 1.05;
            if (spec.max !== undefined) hi = Math.min(spec.max, Math.max(hi, lo + 1));
            return [lo, hi];
          },
        },
      },
      axes: [
        { stroke: fg, grid: { stroke: grid }, ticks: { stroke: grid }, space: 70 },
        {
          stroke: fg,
          grid: { stroke: grid },
          ticks: { stroke: grid },
          values: function (u, splits) {
            return splits.map(fmt);
          },
          incrs: spec.unit === 'bytes' || spec.unit === 'B/s' ? BINARY_STEPS : DECIMAL_STEPS,
          // Wide enough for the longest label, so none is clipped.
          size: function (u, values) {
            var longest = (values || []).reduce(function (n, v) {
              return Math.max(n, String(v).length);
            }, 0);
            return Math.max(40, longest * 7 + 18);
          },
        },
      ],
      cursor: { drag: { x: true, y: false, setScale: false } },
      hooks: {
        // Away from the cursor, the legend shows each series' newest value.
        ready: [showLast],
        setData: [showLast],
        setSelect: [
          function (u) {
            if (u.select.width < 5 || !onZoom) return;
            var a = u.posToVal(u.select.left, 'x'),
              b = u.posToVal(u.select.left + u.select.width, 'x');
            u.setSelect({ left: 0, width: 0, top: 0, height: 0 }, false);
            onZoom(Math.round(a * 1000), Math.round(b * 1000));
          },
        ],
        setLegend: [
          function (u) {
            var cell = u.root.querySelector('.u-series:first-child .u-value');
            var idx = u.legend.idx;
            if (cell) cell.title = idx === null || idx === undefined ? '' : utcTime(u.data[0][idx] * 1000);
          },
        ],
      },
    };
    plotBox.innerHTML = '';
    var plot = new uPlot(opts, cols.data, plotBox);
    var rows = plot.root.querySelectorAll('.u-legend .u-series');
    spec.series.forEach(function (s, i) {
      var row = rows[i + 1];
      if (!row) return;
      row.setAttribute('data-series', s.name);
      if (i >= MAX_SHOWN) row.classList.add('more');
    });
    plot.root.querySelector('.u-legend').setAttribute('data-zone', zone());
    var more = box.querySelector('button.more');
    if (more) more.remove();
    if (!shownAll) {
      more = document.createElement('button');
      more.className = 'more';
      more.type = 'button';
      more.textContent = spec.series.length - MAX_SHOWN + ' more';
      more.addEventListener('click', function () {
        shownAll = true;
        box.classList.add('all-shown');
        for (var i = MAX_SHOWN; i < spec.series.length; i++) plot.setSeries(i + 1, { show: true });
        more.remove();
      });
      box.appendChild(more);
    }
    box.setAttribute('data-unit', spec.unit);
    box.setAttribute('data-series-count', spec.series.length);
    function latestLegend() {
      showLast(plot);
    }
    var handle = {
      plot: plot,
      update: function (next) {
        spec = next;
        cols = columns(spec.series, spec.stacked);
        plot.setData(cols.data);
      },
      resize: function () {
        plot.setSize({ width: width(), height: 220 });
      },
    };
    plot.over.addEventListener('mouseleave', latestLegend);
    return handle;
  }

  window.busbarCharts = {
    format: format,
    unitOf: unitOf,
    color: color,
    draw: draw,
    localTime: localTime,
    utcTime: utcTime,
    MAX_SHOWN: MAX_SHOWN,
  };
})();
