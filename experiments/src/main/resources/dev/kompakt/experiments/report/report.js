/* Kompakt report: renders the trials embedded as JSON in #kompakt-data (layout: ReportData.java). Hand-written, no
 * library, nothing loaded from the network. With #selftest in the URL it performs its controls and writes the outcome into
 * the pre element #selftest-result (ReportBrowserTest reads it). */
(function () {
  'use strict';
  var errors = [];
  window.addEventListener('error', function (e) { errors.push(String(e.message)); });
  var started = performance.now();
  var D = JSON.parse(document.getElementById('kompakt-data').textContent);
  var M = D.metrics;
  var mIndex = {};
  M.forEach(function (m, i) { mIndex[m.m] = i; });
  var OBJ = D.objectives.map(function (o) { return mIndex[o.m]; });
  var INT8 = mIndex.onnx_int8;
  var STATE = {F: 'front', f: 'feasible', i: 'infeasible', x: 'failed', s: 'stopped', n: 'interrupted', r: 'running'};
  var ORDER = {F: 0, f: 1, i: 2, s: 3, x: 4, n: 5, r: 6};
  var trials = D.trials; // [number, state, seconds, [metrics], plan in words, [numeric params], note]
  var byNumber = {};
  trials.forEach(function (t) { byNumber[t[0]] = t; });
  var errFirst = D.errors.map(function (e) { var s = e.trim(); var i = s.indexOf('\n'); return i < 0 ? s : s.substring(0, i).trim(); });
  function complete(t) { return t[1] === 'F' || t[1] === 'f' || t[1] === 'i'; }
  function $(id) { return document.getElementById(id); }

  // ---------------------------------------------------------------------------------------------- formatting
  function fixed(v, d) { return v.toLocaleString('en-US', {minimumFractionDigits: d, maximumFractionDigits: d}); }
  function sig(v, n) {
    if (v === 0) { return '0'; }
    var mag = Math.floor(Math.log10(Math.abs(v)));
    return fixed(v, Math.max(0, Math.min(12, n - 1 - mag)));
  }
  var BYTE_UNITS = ['B', 'kB', 'MB', 'GB', 'TB'];
  function bytes(v) {
    if (Math.abs(v) < 1000) { return fixed(v, 0) + ' B'; }
    var i = 0;
    while (i < BYTE_UNITS.length - 1 && Math.abs(v) >= 999.5) { v /= 1000; i++; }
    return sig(v, 3) + ' ' + BYTE_UNITS[i];
  }
  function fmt(mi, v) {
    if (v === null || v === undefined) { return '\u2013'; }
    var m = M[mi];
    switch (m.kind) {
      case 'pct': return fixed(v * 100, 2) + '%';
      case 'pp': return fixed(v * 100, 2) + ' pp';
      case 'bytes': return bytes(v);
      case 'ratio': return fixed(v, Math.abs(v) >= 100 ? 0 : 1) + 'x';
      case 'unit': return sig(v, 3) + ' ' + m.unit;
      default: return sig(v, 4);
    }
  }
  function duration(s) {
    if (s === null || s === undefined) { return '\u2013'; }
    if (s < 10) { return fixed(s, 1) + ' s'; }
    s = Math.round(s);
    if (s < 60) { return s + ' s'; }
    if (s < 3600) { return Math.floor(s / 60) + ' min ' + String(s % 60).padStart(2, '0') + ' s'; }
    return Math.floor(s / 3600) + ' h ' + String(Math.floor((s % 3600) / 60)).padStart(2, '0') + ' min';
  }
  var ESC = {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'};
  function esc(s) { return String(s).replace(/[&<>"']/g, function (c) { return ESC[c]; }); }
  function arrow(dir) { return dir === 'max' ? '\u2191' : dir === 'min' ? '\u2193' : ''; }
  function better(dir) { return dir === 'max' ? 'higher is better' : dir === 'min' ? 'lower is better' : ''; }
  function form(t) {
    var v = INT8 === undefined ? null : t[3][INT8];
    return v === 1 ? 'INT8' : v === 0 ? 'FP32' : '\u2013';
  }
  var ONNX_BYTES = mIndex.onnx_bytes;
  /** The bytes of the trial's model.onnx, the file users deploy (size_bytes is Kompakt's packed storage count), or ''. */
  function fileSize(t) {
    var v = ONNX_BYTES === undefined ? null : t[3][ONNX_BYTES];
    return v === null || v === undefined ? '' : bytes(v);
  }

  // ---------------------------------------------------------------------------------------------- axes
  function niceStep(raw) {
    if (!(raw > 0) || !isFinite(raw)) { return 1; }
    var mag = Math.pow(10, Math.floor(Math.log10(raw)));
    var n = raw / mag;
    return (n < 1.5 ? 1 : n < 3 ? 2 : n < 7 ? 5 : 10) * mag;
  }
  function decimals(step) { return step > 0 && isFinite(step) ? Math.max(0, Math.min(12, -Math.floor(Math.log10(step) + 1e-9))) : 0; }
  /** A linear axis with round ticks, or a log axis when the values are positive and span more than a factor 20. */
  function axis(min, max, allowLog) {
    var a = {log: false, ticks: []};
    if (allowLog && min > 0 && max / min > 20) {
      var llo = Math.log10(min), lhi = Math.log10(max), lpad = (lhi - llo) * 0.05;
      a.log = true;
      a.lo = llo - lpad;
      a.hi = lhi + lpad;
      var e0 = Math.floor(a.lo), e1 = Math.ceil(a.hi), every = Math.max(1, Math.ceil((e1 - e0) / 8));
      var mults = e1 - e0 <= 3 ? [1, 2, 5] : [1];
      for (var e = e0; e <= e1; e += every) {
        mults.forEach(function (m) {
          var v = m * Math.pow(10, e), lv = Math.log10(v);
          if (lv >= a.lo - 1e-9 && lv <= a.hi + 1e-9) { a.ticks.push(v); }
        });
      }
      a.frac = function (v) { return (Math.log10(v) - a.lo) / (a.hi - a.lo); };
      a.invert = function (f) { return Math.pow(10, a.lo + f * (a.hi - a.lo)); };
      return a;
    }
    if (!(max > min)) {
      var d = min === 0 ? 1 : Math.abs(min) * 0.05;
      min -= d;
      max += d;
    }
    var range = max - min, pad = range * 0.05, step = niceStep((range + 2 * pad) / 5);
    a.step = step;
    a.lo = Math.floor((min - pad) / step) * step;
    a.hi = Math.ceil((max + pad) / step) * step;
    for (var k = Math.ceil(a.lo / step - 1e-9); k <= Math.floor(a.hi / step + 1e-9) && a.ticks.length < 50; k++) {
      a.ticks.push(Math.abs(k * step) < step * 1e-9 ? 0 : k * step);
    }
    a.frac = function (v) { return (v - a.lo) / (a.hi - a.lo); };
    a.invert = function (f) { return a.lo + f * (a.hi - a.lo); };
    return a;
  }
  function compact(v) { return Math.abs(v) >= 1000 ? fixed(v, 0) : String(+v.toPrecision(3)); }
  /** A tick label of metric mi (or a parameter when mi < 0). */
  function tick(mi, a, v) {
    var kind = mi >= 0 ? M[mi].kind : 'plain';
    if (a.log) {
      if (kind === 'bytes') { var i = 0; while (i < 4 && Math.abs(v) >= 1000) { v /= 1000; i++; } return compact(v) + ' ' + BYTE_UNITS[i]; }
      if (kind === 'pct') { return compact(v * 100) + '%'; }
      if (kind === 'ratio') { return compact(v) + 'x'; }
      return compact(v);
    }
    switch (kind) {
      case 'pct': return fixed(v * 100, decimals(a.step * 100)) + '%';
      case 'pp': return fixed(v * 100, decimals(a.step * 100)) + ' pp';
      case 'ratio': return fixed(v, decimals(a.step)) + 'x';
      case 'bytes':
        var scale = 1, unit = 'B', maxAbs = Math.max(Math.abs(a.lo), Math.abs(a.hi));
        for (var j = 1; j < BYTE_UNITS.length && maxAbs >= Math.pow(1000, j); j++) { scale = Math.pow(1000, j); unit = BYTE_UNITS[j]; }
        return fixed(v / scale, decimals(a.step / scale)) + ' ' + unit;
      default: return fixed(v, decimals(a.step));
    }
  }
  function metricTitle(mi) {
    var m = M[mi];
    return m.m + (m.dir ? ' ' + arrow(m.dir) + ' ' + better(m.dir) : '') + (m.kind === 'unit' && m.unit ? ' (' + m.unit + ')' : '');
  }
  function n1(v) { return Math.round(v * 10) / 10; }

  // ---------------------------------------------------------------------------------------------- scatter
  var SW = 760, SH = 470, SL = 84, SR = 20, ST = 16, SB = 52, SPW = SW - SL - SR, SPH = SH - ST - SB;
  var sx = $('sx'), sy = $('sy'), tip = $('tip');
  var points = []; // [px, py, trial], drawn order
  var highlighted = null;
  function scatterInit() {
    var opts = M.map(function (m, i) {
      return '<option value="' + i + '">' + esc(m.m + (m.dir ? ' ' + arrow(m.dir) : '')) + (i < OBJ.length ? ' (objective)' : '') + '</option>';
    }).join('');
    sx.innerHTML = opts;
    sy.innerHTML = opts;
    var yi = OBJ.length ? OBJ[0] : 0;
    D.objectives.forEach(function (o, k) { if (o.m === 'accuracy') { yi = OBJ[k]; } });
    var xi = OBJ.filter(function (i) { return i !== yi; })[0];
    if (xi === undefined) { xi = M.length > 1 ? (yi === 0 ? 1 : 0) : yi; }
    sx.value = String(xi);
    sy.value = String(yi);
    sx.addEventListener('change', drawScatter);
    sy.addEventListener('change', drawScatter);
    var host = $('scatter');
    host.addEventListener('mousemove', hover);
    host.addEventListener('mouseleave', function () { tip.hidden = true; });
    host.addEventListener('click', function (e) {
      var p = nearest(e);
      if (p) { showInTable(p[2][0]); }
    });
  }
  function drawScatter() {
    var xi = +sx.value, yi = +sy.value, host = $('scatter');
    if (!M.length) { host.innerHTML = '<p class="empty">The run reports no metric \u2014 nothing to plot.</p>'; points = []; return; }
    var minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity, counts = {F: 0, f: 0, i: 0}, skipped = 0;
    var drawn = [];
    trials.forEach(function (t) {
      if (!complete(t)) { return; }
      var x = t[3][xi], y = t[3][yi];
      if (x == null || y == null) { skipped++; return; } // null, or undefined when the run has no metrics
      drawn.push(t);
      counts[t[1]]++;
      minX = Math.min(minX, x); maxX = Math.max(maxX, x); minY = Math.min(minY, y); maxY = Math.max(maxY, y);
    });
    points = [];
    if (!drawn.length) {
      host.innerHTML = '<p class="empty">No completed trial reports both ' + esc(M[yi].m) + ' and ' + esc(M[xi].m) + ' \u2014 nothing to plot.</p>';
      return;
    }
    var bx = D.baseline[xi], by = D.baseline[yi], hasBaseline = bx !== null && by !== null;
    if (hasBaseline) { minX = Math.min(minX, bx); maxX = Math.max(maxX, bx); minY = Math.min(minY, by); maxY = Math.max(maxY, by); }
    var ax = axis(minX, maxX, true), ay = axis(minY, maxY, true);
    function px(v) { return n1(SL + ax.frac(v) * SPW); }
    function py(v) { return n1(ST + (1 - ay.frac(v)) * SPH); }
    var s = ['<svg class="plot" viewBox="0 0 ' + SW + ' ' + SH + '" role="img" aria-label="' + esc(M[yi].m + ' against ' + M[xi].m) + '">'];
    s.push('<g class="grid">');
    ax.ticks.forEach(function (v) { s.push('<line x1="' + px(v) + '" y1="' + ST + '" x2="' + px(v) + '" y2="' + (ST + SPH) + '"/>'); });
    ay.ticks.forEach(function (v) { s.push('<line x1="' + SL + '" y1="' + py(v) + '" x2="' + (SL + SPW) + '" y2="' + py(v) + '"/>'); });
    s.push('</g><rect class="frame" x="' + SL + '" y="' + ST + '" width="' + SPW + '" height="' + SPH + '"/><g class="tick">');
    ax.ticks.forEach(function (v) { s.push('<text x="' + px(v) + '" y="' + (ST + SPH + 16) + '" text-anchor="middle">' + esc(tick(xi, ax, v)) + '</text>'); });
    ay.ticks.forEach(function (v) { s.push('<text x="' + (SL - 6) + '" y="' + (py(v) + 4) + '" text-anchor="end">' + esc(tick(yi, ay, v)) + '</text>'); });
    s.push('</g><text class="axt xt" x="' + (SL + SPW / 2) + '" y="' + (SH - 8) + '" text-anchor="middle">' + esc(metricTitle(xi) + (ax.log ? ' \u00b7 log scale' : '')) + '</text>');
    s.push('<text class="axt yt" transform="translate(16 ' + (ST + SPH / 2) + ') rotate(-90)" text-anchor="middle">' + esc(metricTitle(yi) + (ay.log ? ' \u00b7 log scale' : '')) + '</text>');
    ['f', 'i', 'F'].forEach(function (st) {
      var cls = st === 'F' ? 'f' : st === 'i' ? 'i' : 't', r = st === 'F' ? 5 : st === 'i' ? 3.2 : 3;
      drawn.forEach(function (t) {
        if (t[1] !== st) { return; }
        var x = px(t[3][xi]), y = py(t[3][yi]);
        points.push([x, y, t]);
        s.push('<circle class="pt ' + cls + '" cx="' + x + '" cy="' + y + '" r="' + r + '"/>');
      });
    });
    if (hasBaseline) {
      var bpx = px(bx), bpy = py(by), left = bpx > SL + SPW - 70;
      s.push('<g class="bl"><path d="M' + bpx + ' ' + (bpy - 7) + 'L' + (bpx + 7) + ' ' + bpy + 'L' + bpx + ' ' + (bpy + 7) + 'L' + (bpx - 7) + ' ' + bpy + 'Z"/>'
        + '<text x="' + (left ? bpx - 10 : bpx + 10) + '" y="' + (bpy < ST + 14 ? bpy + 14 : bpy - 6) + '"' + (left ? ' text-anchor="end"' : '') + '>baseline</text></g>');
    }
    if (highlighted !== null) {
      points.forEach(function (p) { if (p[2][0] === highlighted) { s.push('<circle class="hl" cx="' + p[0] + '" cy="' + p[1] + '" r="9"/>'); } });
    }
    s.push('</svg>');
    var legend = '<div class="legend hint">'
      + (counts.F ? '<span><svg width="12" height="12"><circle class="f" cx="6" cy="6" r="5"/></svg> Pareto front on all objectives (this view is a 2-D projection): ' + counts.F + '</span> &nbsp; ' : '')
      + (counts.f ? '<span><svg width="12" height="12"><circle class="t" cx="6" cy="6" r="3"/></svg> other feasible trials: ' + counts.f + '</span> &nbsp; ' : '')
      + (counts.i ? '<span><svg width="12" height="12"><circle class="i" cx="6" cy="6" r="3.2"/></svg> infeasible: ' + counts.i + '</span> &nbsp; ' : '')
      + (hasBaseline ? '<span><svg width="12" height="12"><path class="blm" d="M6 0L12 6L6 12L0 6Z"/></svg> baseline</span>' : '')
      + (skipped ? ' &nbsp; ' + skipped + ' completed trial' + (skipped === 1 ? '' : 's') + ' without both metrics not shown.' : '')
      + '</div>';
    host.innerHTML = s.join('') + legend;
  }
  function svgPoint(e) {
    var svg = $('scatter').querySelector('svg');
    if (!svg) { return null; }
    var r = svg.getBoundingClientRect();
    return [(e.clientX - r.left) * SW / r.width, (e.clientY - r.top) * SH / r.height];
  }
  function nearest(e) {
    var q = svgPoint(e);
    if (!q) { return null; }
    var best = null, bd = 100; // within 10 px
    for (var i = points.length - 1; i >= 0; i--) {
      var dx = points[i][0] - q[0], dy = points[i][1] - q[1], d = dx * dx + dy * dy;
      if (d < bd) { bd = d; best = points[i]; }
    }
    return best;
  }
  function describe(t, xi, yi) {
    var h = '<b>trial ' + t[0] + '</b> \u2014 ' + (t[1] === 'F' ? 'on the Pareto front' : STATE[t[1]]) + '<br>';
    var shown = {};
    [xi, yi].concat(OBJ).forEach(function (mi) {
      if (mi === undefined || shown[mi]) { return; }
      shown[mi] = true;
      h += esc(M[mi].m) + ' = ' + esc(fmt(mi, t[3][mi])) + '<br>';
    });
    h += 'export form: ' + form(t) + (fileSize(t) ? ', model.onnx ' + fileSize(t) : '') + '<br>' + esc(t[4]);
    if (t[1] === 'i') { h += '<br><span class="bad">breaks ' + esc(t[6]) + '</span>'; }
    return h;
  }
  function hover(e) {
    var p = nearest(e);
    if (!p) { tip.hidden = true; return; }
    tip.innerHTML = describe(p[2], +sx.value, +sy.value) + '<br><span class="muted">click: show in the table</span>';
    tip.hidden = false;
    var fig = tip.parentNode.getBoundingClientRect();
    var x = e.clientX - fig.left + 14, y = e.clientY - fig.top + 14;
    if (x + 420 > fig.width) { x = Math.max(0, e.clientX - fig.left - 430); }
    tip.style.left = x + 'px';
    tip.style.top = y + 'px';
  }

  // ---------------------------------------------------------------------------------------------- parallel coordinates
  var PH = 390, PT = 54, PB = 34, PPH = PH - PT - PB;
  var axes = []; // {name, get, mi, a, x}
  var brushes = {}; // axis index -> [lo, hi]
  var drag = null;
  function pcInit() {
    D.params.forEach(function (p, j) { axes.push({name: p, get: function (t) { return t[5][j]; }, mi: -1}); });
    D.objectives.forEach(function (o, k) {
      axes.push({name: o.m + ' ' + arrow(o.dir), get: function (t) { return t[3][OBJ[k]]; }, mi: OBJ[k]});
    });
    var width = Math.max(900, 130 * axes.length), gap = axes.length > 1 ? (width - 140) / (axes.length - 1) : 0;
    axes.forEach(function (ax, k) {
      var lo = Infinity, hi = -Infinity;
      trials.forEach(function (t) {
        if (!complete(t)) { return; }
        var v = ax.get(t);
        if (v !== null && v !== undefined) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
      });
      ax.a = lo <= hi ? span(lo, hi) : null;
      ax.x = 70 + k * gap;
    });
    $('pc').dataset.width = width;
    $('pcclear').addEventListener('click', function () { brushes = {}; drawPc(); refreshTable(true); });
    window.addEventListener('mousemove', function (e) {
      if (!drag) { return; }
      drag.y1 = pcY(e);
      var r = $('pc').querySelector('rect.brush[data-k="' + drag.k + '"]');
      if (r) { r.setAttribute('y', Math.min(drag.y0, drag.y1)); r.setAttribute('height', Math.abs(drag.y1 - drag.y0)); }
    });
    window.addEventListener('mouseup', function (e) {
      if (!drag) { return; }
      var d = drag, ax = axes[d.k];
      drag = null;
      d.y1 = pcY(e);
      if (Math.abs(d.y1 - d.y0) < 3 || !ax.a) {
        delete brushes[d.k];
      } else {
        var f0 = 1 - (Math.max(d.y0, d.y1) - PT) / PPH, f1 = 1 - (Math.min(d.y0, d.y1) - PT) / PPH;
        brushes[d.k] = [ax.a.invert(Math.max(0, f0)), ax.a.invert(Math.min(1, f1))];
      }
      drawPc();
      refreshTable(true);
    });
  }
  /** A linear scale from the smallest to the largest value (an axis of the parallel coordinates). */
  function span(lo, hi) {
    if (!(hi > lo)) { var d = lo === 0 ? 1 : Math.abs(lo) * 0.05; lo -= d; hi += d; }
    var a = {log: false, lo: lo, hi: hi, step: niceStep((hi - lo) / 20), ticks: []};
    a.frac = function (v) { return (v - a.lo) / (a.hi - a.lo); };
    a.invert = function (f) { return a.lo + f * (a.hi - a.lo); };
    return a;
  }
  function pcY(e) {
    var r = $('pc').querySelector('svg').getBoundingClientRect();
    return Math.max(PT, Math.min(PT + PPH, e.clientY - r.top));
  }
  function inBrushes(t) {
    for (var k in brushes) {
      var v = axes[k].get(t);
      if (v === null || v === undefined || v < brushes[k][0] || v > brushes[k][1]) { return false; }
    }
    return true;
  }
  function drawPc() {
    var host = $('pc'), width = +host.dataset.width;
    if (!axes.length) { host.innerHTML = '<p class="empty">No numeric parameter or objective to draw.</p>'; return; }
    var out = [], inn = [], front = [], nIn = 0, nAll = 0;
    trials.forEach(function (t) {
      if (!complete(t)) { return; }
      nAll++;
      var d = '', pen = false;
      for (var k = 0; k < axes.length; k++) {
        var ax = axes[k], v = ax.get(t);
        if (v === null || v === undefined || !ax.a) { pen = false; continue; }
        d += (pen ? 'L' : 'M') + ax.x + ' ' + n1(PT + (1 - ax.a.frac(v)) * PPH);
        pen = true;
      }
      var inside = inBrushes(t);
      if (inside) { nIn++; }
      (inside ? (t[1] === 'F' ? front : inn) : out).push(d);
    });
    var s = ['<svg class="pc" width="' + width + '" height="' + PH + '" viewBox="0 0 ' + width + ' ' + PH + '">'];
    s.push('<path class="out" d="' + out.join('') + '"/><path class="in" d="' + inn.join('') + '"/><path class="inf" d="' + front.join('') + '"/>');
    axes.forEach(function (ax, k) {
      s.push('<line class="ax" x1="' + ax.x + '" y1="' + PT + '" x2="' + ax.x + '" y2="' + (PT + PPH) + '"/>');
      s.push('<text class="name" x="' + ax.x + '" y="' + (PT - (k % 2 ? 36 : 22)) + '" text-anchor="middle">' + esc(ax.name) + '</text>');
      if (ax.a) {
        s.push('<text x="' + ax.x + '" y="' + (PT - 8) + '" text-anchor="middle">' + esc(tick(ax.mi, ax.a, ax.a.invert(1))) + '</text>');
        s.push('<text x="' + ax.x + '" y="' + (PT + PPH + 16) + '" text-anchor="middle">' + esc(tick(ax.mi, ax.a, ax.a.invert(0))) + '</text>');
      }
      var b = brushes[k], y = PT, h = 0;
      if (b && ax.a) { y = n1(PT + (1 - ax.a.frac(b[1])) * PPH); h = n1((ax.a.frac(b[1]) - ax.a.frac(b[0])) * PPH); }
      s.push('<rect class="brush" data-k="' + k + '" x="' + (ax.x - 9) + '" y="' + y + '" width="18" height="' + h + '"/>');
      s.push('<rect class="hit" data-k="' + k + '" x="' + (ax.x - 14) + '" y="' + PT + '" width="28" height="' + PPH + '"/>');
    });
    s.push('</svg>');
    host.innerHTML = s.join('');
    host.querySelectorAll('rect.hit').forEach(function (r) {
      r.addEventListener('mousedown', function (e) {
        e.preventDefault();
        var y = pcY(e);
        drag = {k: +r.dataset.k, y0: y, y1: y};
      });
    });
    var names = Object.keys(brushes).map(function (k) {
      var ax = axes[k];
      return ax.name + ' ' + tick(ax.mi, ax.a, brushes[k][0]) + ' to ' + tick(ax.mi, ax.a, brushes[k][1]);
    });
    $('pcstate').textContent = names.length ? names.length + (names.length === 1 ? ' range' : ' ranges') + ' (' + names.join('; ') + '): '
      + nIn + ' of ' + nAll + ' completed trials inside' : 'No range: all ' + nAll + ' completed trials.';
  }

  // ---------------------------------------------------------------------------------------------- table
  var PAGE = 100;
  var columns = [{id: 'n', label: 'trial', cls: 'n', key: function (t) { return t[0]; }},
    {id: 'st', label: 'state', key: function (t) { return ORDER[t[1]]; }}];
  D.objectives.forEach(function (o, k) {
    columns.push({id: 'o' + k, label: o.m + ' ' + arrow(o.dir), cls: 'n', mi: OBJ[k], dir: o.dir, key: function (t) { return t[3][OBJ[k]]; }});
  });
  columns.push({id: 'form', label: 'form', key: function (t) { return INT8 === undefined ? null : t[3][INT8]; }});
  columns.push({id: 'sec', label: 'time', cls: 'n', key: function (t) { return t[2]; }});
  columns.push({id: 'plan', label: 'plan', key: function (t) { return t[4]; }});
  columns.push({id: 'exp', label: '', nosort: true});
  var sortCol = 'st', sortDesc = false, page = 0, filtered = [], hay = null;
  function haystack(t) {
    var note = t[1] === 'i' ? t[6] : t[1] === 'x' && t[6] !== null ? errFirst[t[6]] : '';
    return (t[4] + ' ' + STATE[t[1]] + ' ' + form(t) + ' ' + note).toLowerCase();
  }
  function tableInit() {
    $('tt').querySelector('thead').innerHTML = '<tr>' + columns.map(function (c) {
      return '<th data-col="' + c.id + '"' + (c.cls ? ' class="' + c.cls + '"' : '') + (c.nosort ? '' : ' title="sort"') + '>' + esc(c.label) + '</th>';
    }).join('') + '</tr>';
    $('tt').querySelectorAll('thead th').forEach(function (th) {
      th.addEventListener('click', function () {
        var c = columnById(th.dataset.col);
        if (c.nosort) { return; }
        if (sortCol === c.id) { sortDesc = !sortDesc; } else { sortCol = c.id; sortDesc = c.dir === 'max'; }
        refreshTable(true);
      });
    });
    $('fstate').addEventListener('change', function () { refreshTable(true); });
    $('ftext').addEventListener('input', function () { refreshTable(true); });
    $('prev').addEventListener('click', function () { if (page > 0) { page--; renderRows(); } });
    $('next').addEventListener('click', function () { if ((page + 1) * PAGE < filtered.length) { page++; renderRows(); } });
    $('tt').querySelector('tbody').addEventListener('click', function (e) {
      var b = e.target.closest('button.ex');
      if (b) { showExport(+b.dataset.n); }
    });
    $('copy').addEventListener('click', copyCommand);
  }
  function columnById(id) { return columns.filter(function (c) { return c.id === id; })[0]; }
  function refreshTable(resetPage) {
    if (!hay) { hay = trials.map(haystack); }
    var st = $('fstate').value, q = $('ftext').value.trim().toLowerCase(), num = /^#\d+$/.test(q) ? +q.substring(1) : null;
    filtered = [];
    for (var i = 0; i < trials.length; i++) {
      var t = trials[i];
      if (st !== 'all' && (st === 'feasible' ? t[1] !== 'F' && t[1] !== 'f' : t[1] !== st)) { continue; }
      if (num !== null ? t[0] !== num : q && hay[i].indexOf(q) < 0) { continue; }
      if (!inBrushes(t)) { continue; }
      filtered.push(t);
    }
    var c = columnById(sortCol), sign = sortDesc ? -1 : 1;
    filtered.sort(function (a, b) {
      var x = c.key(a), y = c.key(b);
      if (x === null || x === undefined) { return y === null || y === undefined ? a[0] - b[0] : 1; }
      if (y === null || y === undefined) { return -1; }
      var r = typeof x === 'string' ? x.localeCompare(y) : x - y;
      return r !== 0 ? sign * r : a[0] - b[0];
    });
    if (resetPage) { page = 0; }
    $('tt').querySelectorAll('thead th').forEach(function (th) {
      th.classList.toggle('sorted', th.dataset.col === sortCol);
      var col = columnById(th.dataset.col);
      th.textContent = col.label + (th.dataset.col === sortCol ? (sortDesc ? ' \u25be' : ' \u25b4') : '');
    });
    var nb = Object.keys(brushes).length;
    $('count').textContent = filtered.length + ' of ' + trials.length + ' trials match' + (nb ? ' (within the ' + nb
      + (nb === 1 ? ' range' : ' ranges') + ' of the parallel coordinates)' : '') + '.';
    renderRows();
  }
  function renderRows() {
    var rows = [], from = page * PAGE, to = Math.min(filtered.length, from + PAGE);
    if (page === 0 && D.baseline.some(function (v) { return v !== null; })) {
      var b = '<tr class="baseline"><td class="n"><span class="badge">baseline</span></td><td></td>';
      OBJ.forEach(function (mi) { b += '<td class="n">' + esc(fmt(mi, D.baseline[mi])) + '</td>'; });
      rows.push(b + '<td></td><td></td><td class="plan">the baseline network, uncompressed</td><td></td></tr>');
    }
    for (var i = from; i < to; i++) {
      var t = filtered[i], st = '<td class="st">' + (t[1] === 'F' ? 'front' : STATE[t[1]]);
      if (t[1] === 'i') { st += '<div class="sub">breaks ' + esc(t[6]) + '</div>'; }
      if (t[1] === 'x' && t[6] !== null) {
        var full = D.errors[t[6]], first = errFirst[t[6]] || '(no error recorded)';
        st += '<div class="sub">' + esc(first.length > 160 ? first.substring(0, 160) + '\u2026' : first) + '</div>'
          + (full.trim() !== first ? '<details><summary>full error</summary><pre class="err">' + esc(full) + '</pre></details>' : '');
      }
      var r = '<tr class="' + t[1] + (highlighted === t[0] ? ' hl' : '') + '" data-n="' + t[0] + '"><td class="n">' + t[0] + '</td>' + st + '</td>';
      OBJ.forEach(function (mi) { r += '<td class="n">' + esc(fmt(mi, t[3][mi])) + '</td>'; });
      r += '<td>' + form(t) + (fileSize(t) ? '<br><span class="muted" style="white-space:nowrap" title="bytes of its model.onnx">' + fileSize(t) + '</span>' : '')
        + '</td><td class="n">' + duration(t[2]) + '</td><td class="plan">' + esc(t[4]) + '</td><td>'
        + (complete(t) ? '<button type="button" class="ex" data-n="' + t[0] + '" title="the command that exports this trial">export</button>' : '') + '</td></tr>';
      rows.push(r);
    }
    if (!filtered.length) { rows.push('<tr><td colspan="' + columns.length + '" class="muted">No trial matches.</td></tr>'); }
    $('tt').querySelector('tbody').innerHTML = rows.join('');
    var pages = Math.max(1, Math.ceil(filtered.length / PAGE));
    $('page').textContent = 'page ' + (page + 1) + ' of ' + pages + (filtered.length ? ' (rows ' + (from + 1) + '\u2013' + to + ')' : '');
    $('prev').disabled = page === 0;
    $('next').disabled = page + 1 >= pages;
  }
  function showInTable(n) {
    highlighted = n;
    $('fstate').value = 'all';
    $('ftext').value = '#' + n;
    refreshTable(true);
    drawScatter();
    $('trials').scrollIntoView({block: 'start'});
  }

  // ---------------------------------------------------------------------------------------------- export command
  function runDir() {
    if (location.protocol !== 'file:') { return 'RUN_DIR'; }
    var p = decodeURIComponent(location.pathname), i = p.lastIndexOf('/');
    p = i > 0 ? p.substring(0, i) : p;
    if (/^\/[A-Za-z]:\//.test(p)) { p = p.substring(1); }
    return /^[\w\/.\-:+@%=,]+$/.test(p) ? p : "'" + p.replace(/'/g, "'\\''") + "'";
  }
  function showExport(n) {
    $('exportbar').hidden = false;
    $('exportlabel').textContent = 'Export trial ' + n + ' (from the Kompakt directory):';
    var input = $('exportcmd');
    input.value = 'bin/kompakt export ' + runDir() + ' --trial ' + n;
    input.select();
    $('copied').textContent = '';
  }
  function copyCommand() {
    var input = $('exportcmd');
    input.select();
    var done = function () { $('copied').textContent = 'copied'; };
    var fallback = function () {
      try { document.execCommand('copy'); done(); } catch (e) { $('copied').textContent = 'select the command and copy it'; }
    };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(input.value).then(done, fallback);
    } else {
      fallback();
    }
  }

  // ---------------------------------------------------------------------------------------------- start
  document.querySelectorAll('section.js').forEach(function (s) { s.hidden = false; });
  if (D.objectives.length + D.params.length === 0 || !trials.some(complete)) { $('parallel').hidden = true; }
  scatterInit();
  drawScatter();
  pcInit();
  if (!$('parallel').hidden) { drawPc(); }
  tableInit();
  refreshTable(true);
  var renderedAt = performance.now();

  // ---------------------------------------------------------------------------------------------- self-test (#selftest)
  function rowNumbers() {
    return Array.prototype.map.call($('tt').querySelectorAll('tbody tr[data-n]'), function (r) { return +r.dataset.n; });
  }
  /** Whether the non-null values are ordered (desc or not) and every null comes after them. */
  function ordered(values, desc) {
    var seenNull = false;
    for (var i = 0; i < values.length; i++) {
      if (values[i] === null) { seenNull = true; continue; }
      if (seenNull) { return false; }
      if (i > 0 && values[i - 1] !== null && (desc ? values[i] > values[i - 1] : values[i] < values[i - 1])) { return false; }
    }
    return true;
  }
  /** A drawn point of state st with no other point within 1 px (hovering exactly on it shows it, the nearest). */
  function isolated(st) {
    for (var i = 0; i < points.length; i++) {
      if (points[i][2][1] !== st) { continue; }
      var alone = true;
      for (var j = 0; j < points.length && alone; j++) {
        var dx = points[j][0] - points[i][0], dy = points[j][1] - points[i][1];
        alone = j === i || dx * dx + dy * dy >= 1;
      }
      if (alone) { return points[i]; }
    }
    return null;
  }
  function mouse(target, type, x, y) {
    target.dispatchEvent(new MouseEvent(type, {clientX: x, clientY: y, bubbles: true, cancelable: true, view: window}));
  }
  function selftest() {
    var r = {trials: trials.length, loadToRenderedMs: Math.round(renderedAt), scriptMs: Math.round(renderedAt - started)};
    try {
      // 1. sort: click the first objective's header twice
      if (D.objectives.length) {
        var th = $('tt').querySelector('thead th[data-col="o0"]'), mi = OBJ[0], dir = D.objectives[0].dir;
        th.click();
        var v1 = rowNumbers().map(function (n) { return byNumber[n][3][mi]; });
        th.click();
        var v2 = rowNumbers().map(function (n) { return byNumber[n][3][mi]; });
        r.sort = {column: D.objectives[0].m, dir: dir, rows: v1.length, first: v1.slice(0, 3), bestFirst: ordered(v1, dir === 'max'),
          reversed: ordered(v2, dir !== 'max'), reversedFirst: v2.slice(0, 3), header: th.textContent};
      }
      // 2. axis: choose another metric for x (the first that is on neither axis)
      var before = +sx.value, choice = null;
      for (var i = 0; i < M.length; i++) { if (i !== before && i !== +sy.value) { choice = i; break; } }
      if (choice !== null) {
        sx.value = String(choice);
        sx.dispatchEvent(new Event('change'));
        var expected = trials.filter(function (t) { return complete(t) && t[3][choice] !== null && t[3][+sy.value] !== null; }).length;
        var xt = $('scatter').querySelector('.xt');
        r.axis = {from: M[before].m, to: M[choice].m, label: xt ? xt.textContent : null,
          points: $('scatter').querySelectorAll('circle.pt').length, expected: expected};
        // hover a front point and an infeasible one (each on no other point) and read the tooltip
        var svg = $('scatter').querySelector('svg');
        var hoverOn = function (st) {
          var p = isolated(st);
          if (!p || !svg) { return null; }
          var rc = svg.getBoundingClientRect();
          mouse($('scatter'), 'mousemove', rc.left + p[0] * rc.width / SW, rc.top + p[1] * rc.height / SH);
          return {trial: p[2][0], tip: tip.hidden ? null : tip.textContent};
        };
        r.hover = hoverOn('F');
        r.hoverInfeasible = hoverOn('i');
      }
      // 3. brush: drag on the first objective's axis from 20% to 60% of its height
      var k = D.params.length, hit = $('pc').querySelector('rect.hit[data-k="' + k + '"]');
      if (hit) {
        var hr = hit.getBoundingClientRect();
        mouse(hit, 'mousedown', hr.left + hr.width / 2, hr.top + hr.height * 0.2);
        mouse(window, 'mousemove', hr.left + hr.width / 2, hr.top + hr.height * 0.6);
        mouse(window, 'mouseup', hr.left + hr.width / 2, hr.top + hr.height * 0.6);
        var b = brushes[k], rows = rowNumbers(), inRange = b ? rows.every(function (n) {
          var v = axes[k].get(byNumber[n]);
          return v !== null && v >= b[0] && v <= b[1];
        }) : false;
        var expectedIn = b ? trials.filter(function (t) { var v = axes[k].get(t); return v !== null && v >= b[0] && v <= b[1]; }).length : -1;
        r.brush = {axis: axes[k].name, range: b || null, matching: filtered.length, expected: expectedIn, rowsShown: rows.length,
          rowsInRange: inRange, count: $('count').textContent, state: $('pcstate').textContent};
        $('pcclear').click();
        r.brush.afterClear = filtered.length;
      }
      // 4. state filter: infeasible
      $('fstate').value = 'i';
      $('fstate').dispatchEvent(new Event('change'));
      var infRows = $('tt').querySelectorAll('tbody tr[data-n]');
      r.filter = {matching: filtered.length, expected: trials.filter(function (t) { return t[1] === 'i'; }).length,
        allInfeasible: Array.prototype.every.call(infRows, function (tr) { return tr.classList.contains('i'); }),
        namesConstraint: Array.prototype.every.call(infRows, function (tr) {
          return D.constraints.some(function (c) { return tr.querySelector('td.st').textContent.indexOf('breaks ' + c.m) >= 0; });
        })};
      $('fstate').value = 'x';
      $('fstate').dispatchEvent(new Event('change'));
      r.filter.failed = filtered.length;
      $('fstate').value = 'all';
      $('ftext').value = '';
      $('fstate').dispatchEvent(new Event('change'));
      // 5. export command of the first completed row
      var ex = $('tt').querySelector('button.ex');
      if (ex) { ex.click(); r.exportCommand = $('exportcmd').value; r.exportTrial = +ex.dataset.n; }
      // 6. does the table fit the window without scrolling sideways?
      var wrap = $('trials').querySelector('.tablewrap');
      r.fits = {scrollWidth: wrap.scrollWidth, clientWidth: wrap.clientWidth, windowWidth: window.innerWidth};
    } catch (e) {
      r.exception = String(e && e.stack ? e.stack : e);
    }
    r.errors = errors;
    var pre = document.createElement('pre');
    pre.id = 'selftest-result';
    pre.textContent = JSON.stringify(r);
    document.body.appendChild(pre);
  }
  if (location.hash === '#selftest') { selftest(); }
})();
