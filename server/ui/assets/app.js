// The web UI of chime serve: pick keys, plot them with uPlot over a time
// range, zoom by dragging, pan, follow new data. Every chart is a request
// for min/max envelopes with a step of (time range / chart width), so the
// server sends at most one bucket per pixel column whatever the range.
// The state lives in the URL (filter, after-time, before-time, range,
// columns, refresh, db), so a chart is a link.
'use strict';

(() => {
  const $ = (id) => document.getElementById(id);
  const NS = 1000000000n;
  const palette = ['#2f6fdf', '#e8710a', '#1e9e4a', '#d93025', '#8e44ad', '#00838f', '#c2185b', '#6d4c41', '#9e9d24', '#5f6368'];
  const rootMode = document.documentElement.dataset.mode === 'root';
  const chartHeight = 420;

  // What the browser test reads back: the chart's data and the request
  // that fetched it.
  const exposed = { loads: 0, lastQuery: '', error: '', cspViolations: [], data: null, labels: [], range: null };
  window.chimeUI = exposed;
  document.addEventListener('securitypolicyviolation', (e) => {
    exposed.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI);
  });

  // ---- state and URL ----

  const state = { filters: [], range: 'all', after: '', before: '', columns: '', refresh: 0, db: '' };

  function readURL() {
    const p = new URLSearchParams(location.search);
    state.filters = p.getAll('filter').filter((f) => f !== '');
    state.after = p.get('after-time') || '';
    state.before = p.get('before-time') || '';
    state.range = p.get('range') || (state.after || state.before ? 'custom' : 'all');
    state.columns = p.get('columns') || '';
    state.refresh = Number(p.get('refresh')) || 0;
    state.db = p.get('db') || '';
  }

  function writeURL() {
    const p = new URLSearchParams();
    if (rootMode && state.db) p.set('db', state.db);
    for (const f of state.filters) p.append('filter', f);
    if (state.range === 'custom') {
      if (state.after) p.set('after-time', state.after);
      if (state.before) p.set('before-time', state.before);
    } else if (state.range !== 'all') {
      p.set('range', state.range);
    }
    if (state.columns) p.set('columns', state.columns);
    if (state.refresh) p.set('refresh', String(state.refresh));
    history.replaceState(null, '', '?' + p.toString());
  }

  // ---- time in nanoseconds (BigInt: epoch nanoseconds exceed 2^53) ----

  const timeRE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}:\d{2})?$/;

  // parseTime reads integer nanoseconds or a UTC date and time as the API
  // takes them (2024-01-01, 2024-01-01T10:00:00.5Z, +02:00 offsets).
  function parseTime(s) {
    s = s.trim();
    if (/^\d+$/.test(s)) return BigInt(s);
    const m = timeRE.exec(s);
    if (!m) return null;
    const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +(m[4] || 0), +(m[5] || 0), +(m[6] || 0));
    let ns = BigInt(ms) * 1000000n + BigInt((m[7] || '').padEnd(9, '0') || '0');
    if (m[8] && m[8] !== 'Z') {
      const sign = m[8][0] === '-' ? -1n : 1n;
      ns -= sign * (BigInt(+m[8].slice(1, 3)) * 3600n + BigInt(+m[8].slice(4, 6)) * 60n) * NS;
    }
    return ns;
  }

  // formatTime writes nanoseconds as 2024-01-01T10:00:00.5Z.
  function formatTime(ns) {
    const s = new Date(Number(ns / 1000000n)).toISOString().slice(0, 19);
    const frac = (ns % NS).toString().padStart(9, '0').replace(/0+$/, '');
    return s + (frac ? '.' + frac : '') + 'Z';
  }

  function nowNS() { return BigInt(Date.now()) * 1000000n; }

  const units = { s: 1n, m: 60n, h: 3600n, d: 86400n };
  function duration(r) {
    const m = /^(\d+)([smhd])$/.exec(r);
    return m ? BigInt(m[1]) * units[m[2]] * NS : null;
  }

  // ---- the API ----

  class AuthError extends Error {}

  function base() { return rootMode ? '/db/' + encodeURIComponent(state.db) : ''; }

  async function api(path, params) {
    const url = path + (params ? '?' + params.toString() : '');
    const headers = {};
    const token = sessionStorage.getItem('chime-token');
    if (token) headers.Authorization = 'Bearer ' + token;
    const r = await fetch(url, { headers, cache: 'no-store' });
    const body = await r.text();
    if (r.status === 401) {
      askToken();
      throw new AuthError('this server needs its token');
    }
    if (!r.ok) throw new Error(body.trim() || r.status + ' ' + r.statusText);
    return body;
  }

  function lines(body) { return body.split('\n').filter((l) => l !== ''); }

  function askToken() {
    $('token-form').hidden = false;
    $('token').focus();
  }

  // ---- status ----

  function status(msg, isError) {
    $('status').textContent = msg;
    $('status').classList.toggle('error', !!isError);
    exposed.error = isError ? msg : '';
  }

  // ---- keys and filters ----

  let searchTimer = 0;
  function searchSoon() {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(search, 200);
  }

  async function search() {
    const prefix = $('search').value;
    const list = $('keys');
    if (prefix.includes('%')) { list.replaceChildren(); return; }
    const p = new URLSearchParams({ keys: '', prefix, limit: '51', json: '' });
    try {
      const keys = lines(await api(base() + '/', p)).map((l) => JSON.parse(l));
      const items = keys.slice(0, 50).map((k) => {
        const b = document.createElement('button');
        b.type = 'button';
        b.textContent = k;
        b.dataset.key = k;
        b.addEventListener('click', () => addFilter(k));
        const li = document.createElement('li');
        li.append(b);
        return li;
      });
      if (keys.length > 50) {
        const li = document.createElement('li');
        li.className = 'more';
        li.textContent = 'more keys: type a longer prefix';
        items.push(li);
      }
      list.replaceChildren(...items);
    } catch (e) {
      if (!(e instanceof AuthError)) status('keys: ' + e.message, true);
    }
  }

  function addFilter(f) {
    if (f !== '' && !state.filters.includes(f)) state.filters.push(f);
    load();
  }

  function renderFilters() {
    const items = state.filters.map((f) => {
      const li = document.createElement('li');
      li.textContent = f;
      const x = document.createElement('button');
      x.type = 'button';
      x.textContent = '×';
      x.title = 'remove ' + f;
      x.addEventListener('click', () => {
        state.filters = state.filters.filter((g) => g !== f);
        load();
      });
      li.append(x);
      return li;
    });
    $('filters').replaceChildren(...items);
  }

  function renderControls() {
    $('range').value = state.range;
    $('after').value = state.after;
    $('before').value = state.before;
    $('columns').value = state.columns;
    $('refresh').value = String(state.refresh);
  }

  // columnList is the 1-based columns a columns parameter selects (null:
  // all), to name the series of the aggregated values.
  function columnList(spec) {
    spec = spec.trim();
    if (spec === '' || spec === 'all') return null;
    if (spec === 'none') return [];
    const cols = new Set();
    for (const item of spec.split(/[,; ]+/).filter((s) => s)) {
      const m = /^(\d+)(?:-(\d+))?$/.exec(item);
      if (!m) continue;
      for (let c = +m[1]; c <= +(m[2] || m[1]) && c <= 255; c++) if (c > 0) cols.add(c);
    }
    return [...cols].sort((a, b) => a - b);
  }

  // ---- the time range ----

  async function span() {
    const p = new URLSearchParams({ span: '' });
    for (const f of state.filters) p.append('filter', f);
    const body = await api(base() + '/', p);
    const first = /"first":(\d+)/.exec(body);
    const last = /"last":(\d+)/.exec(body);
    return first && last ? [BigInt(first[1]), BigInt(last[1]) + 1n] : null;
  }

  // timeRange is [from, to) in nanoseconds: relative to now, as given, or
  // the data's; null when there is nothing to draw.
  async function timeRange() {
    const d = duration(state.range);
    if (d !== null) {
      const to = nowNS();
      return [to - d, to];
    }
    let from = state.range === 'custom' ? parseTime(state.after) : null;
    let to = state.range === 'custom' ? parseTime(state.before) : null;
    if (state.range === 'custom' && state.after && from === null) throw new Error('after: not a time: ' + state.after);
    if (state.range === 'custom' && state.before && to === null) throw new Error('before: not a time: ' + state.before);
    if (from === null || to === null) {
      const s = await span();
      if (!s) return null;
      from = from ?? s[0];
      to = to ?? s[1];
    }
    return to > from ? [from, to] : null;
  }

  // ---- the chart ----

  let plot = null;
  let plotKey = '';
  let xRange = [0, 1];
  let seriesInfo = []; // per plotted series: name and colour
  let stamps = []; // exact bucket times, per data index

  function chartWidth() { return Math.max(320, $('chart').clientWidth || 800); }

  // toData turns the JSON lines of an aggregated read into uPlot's
  // aligned arrays: the bucket times, then per series its max and min.
  function toData(body) {
    const cols = columnList(state.columns);
    const rows = lines(body).map((l) => {
      const o = JSON.parse(l);
      return { key: o.key, ts: BigInt(/"ts":(\d+)/.exec(l)[1]), values: o.values };
    });
    const times = [...new Set(rows.map((r) => r.ts))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const index = new Map(times.map((t, i) => [t, i]));
    const series = new Map();
    const colsSeen = new Set();
    for (const r of rows) {
      for (let j = 0; 2 * j + 1 < r.values.length; j++) {
        const col = cols ? cols[j] : j + 1;
        colsSeen.add(col);
        const id = JSON.stringify([r.key, col]);
        if (!series.has(id)) series.set(id, { key: r.key, col, max: new Array(times.length).fill(null), min: new Array(times.length).fill(null) });
        const s = series.get(id);
        const i = index.get(r.ts);
        s.min[i] = num(r.values[2 * j]);
        s.max[i] = num(r.values[2 * j + 1]);
      }
    }
    const list = [...series.values()];
    for (const s of list) s.name = colsSeen.size > 1 ? s.key + ' v' + s.col : s.key;
    return { times, list };
  }

  // num maps the JSON value of an aggregate to a number; NaN and the
  // infinities, which cannot be drawn, leave a gap.
  function num(v) { return typeof v === 'number' ? v : null; }

  function draw(d, from, to) {
    xRange = [Number(from) / 1e9, Number(to) / 1e9];
    stamps = d.times;
    seriesInfo = d.list.map((s, i) => ({ name: s.name, color: palette[i % palette.length] }));
    const data = [d.times.map((t) => Number(t) / 1e9)];
    for (const s of d.list) data.push(s.max, s.min);
    const key = seriesInfo.map((s) => s.name).join('\n');
    if (plot && key === plotKey) {
      plot.setData(data);
    } else {
      if (plot) plot.destroy();
      plot = new uPlot(options(), data, $('chart'));
      plotKey = key;
    }
    renderLegend();
    exposed.data = data;
    exposed.labels = seriesInfo.map((s) => s.name);
  }

  function options() {
    const series = [{ label: 'time' }];
    const bands = [];
    seriesInfo.forEach((s, i) => {
      series.push({ label: s.name + ' max', stroke: s.color, width: 1.5, spanGaps: true });
      series.push({ label: s.name + ' min', stroke: s.color, width: 1.5, spanGaps: true });
      bands.push({ series: [2 * i + 1, 2 * i + 2], fill: s.color + '40' });
    });
    return {
      width: chartWidth(),
      height: chartHeight,
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1e3), 'Etc/UTC'),
      scales: { x: { time: true, range: () => xRange } },
      series,
      bands,
      axes: [{ values: (u, splits) => splits.map((v) => timeLabel(v, splits)) }, {}],
      legend: { show: false },
      cursor: { drag: { x: true, y: false, setScale: false } },
      hooks: { setSelect: [zoomTo], setCursor: [tooltip] },
    };
  }

  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const pad2 = (n) => String(n).padStart(2, '0');

  // timeLabel labels a time tick (seconds) as chime plot does: the
  // smallest unit that changes between ticks, the date at midnight, the
  // year on January 1st; all in UTC.
  function timeLabel(sec, splits) {
    const incr = splits.length > 1 ? splits[1] - splits[0] : 86400;
    const d = new Date(Math.round(sec * 1000));
    const midnight = d.getUTCHours() === 0 && d.getUTCMinutes() === 0 && d.getUTCSeconds() === 0 && d.getUTCMilliseconds() === 0;
    const yearStart = midnight && d.getUTCMonth() === 0 && d.getUTCDate() === 1;
    if (incr >= 28 * 86400) return d.getUTCMonth() === 0 ? String(d.getUTCFullYear()) : months[d.getUTCMonth()];
    if (yearStart) return String(d.getUTCFullYear());
    if (incr >= 86400 || midnight) return months[d.getUTCMonth()] + ' ' + d.getUTCDate();
    const hm = pad2(d.getUTCHours()) + ':' + pad2(d.getUTCMinutes());
    if (incr >= 60) return hm;
    if (incr >= 1) return hm + ':' + pad2(d.getUTCSeconds());
    return pad2(d.getUTCSeconds()) + '.' + String(d.getUTCMilliseconds()).padStart(3, '0');
  }

  function renderLegend() {
    const items = seriesInfo.map((s, i) => {
      const li = document.createElement('li');
      li.className = 'swatch-' + (i % palette.length);
      li.textContent = s.name;
      return li;
    });
    $('legend').replaceChildren(...items);
  }

  // zoomTo narrows the range to the dragged selection and fetches it
  // again at the finer step.
  function zoomTo(u) {
    if (u.select.width < 2) return;
    const a = u.posToVal(u.select.left, 'x');
    const b = u.posToVal(u.select.left + u.select.width, 'x');
    u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
    setCustom(BigInt(Math.floor(a * 1e6)) * 1000n, BigInt(Math.ceil(b * 1e6)) * 1000n);
  }

  function setCustom(from, to) {
    if (to <= from) to = from + 1n;
    state.range = 'custom';
    state.after = formatTime(from);
    state.before = formatTime(to);
    load();
  }

  // tooltip shows the bucket under the cursor: its time and each series'
  // value, or its smallest and largest.
  function tooltip(u) {
    const tip = $('tooltip');
    const i = u.cursor.idx;
    if (i == null || u.cursor.left < 0) { tip.hidden = true; return; }
    const out = [formatTime(stamps[i]).replace('T', ' ').replace('Z', ' UTC')];
    seriesInfo.forEach((s, k) => {
      const max = u.data[2 * k + 1][i];
      const min = u.data[2 * k + 2][i];
      if (max == null) return;
      out.push(s.name + ': ' + (min === max ? String(max) : String(min) + ' … ' + String(max)));
    });
    tip.textContent = out.join('\n');
    tip.hidden = false;
    const over = u.over.getBoundingClientRect();
    const host = $('chart').getBoundingClientRect();
    const left = over.left - host.left + u.cursor.left + 14;
    tip.style.left = Math.min(left, host.width - tip.offsetWidth) + 'px';
    tip.style.top = (over.top - host.top + u.cursor.top + 14) + 'px';
  }

  // ---- loading ----

  let loadSeq = 0;
  let shown = null; // the [from, to) drawn

  async function load() {
    writeURL();
    renderFilters();
    renderControls();
    const seq = ++loadSeq;
    if (!state.filters.length) {
      status('Search for keys above and pick some to plot.');
      return;
    }
    try {
      const r = await timeRange();
      if (seq !== loadSeq) return;
      if (!r) { status('No rows match.'); return; }
      const [from, to] = r;
      const width = BigInt(chartWidth());
      const step = niceStep((to - from + width - 1n) / width);
      const p = new URLSearchParams();
      for (const f of state.filters) p.append('filter', f);
      p.set('after-time', from.toString());
      p.set('before-time', to.toString());
      p.set('step', step + 'ns'); // buckets at whole multiples of a round step
      p.set('agg', 'min,max');
      if (state.columns) p.set('columns', state.columns);
      p.set('output', 'json');
      const started = performance.now();
      const body = await api(base() + '/', p);
      if (seq !== loadSeq) return;
      const d = toData(body);
      shown = [from, to];
      draw(d, from, to);
      exposed.range = [from.toString(), to.toString()];
      exposed.lastQuery = base() + '/?' + p.toString();
      status(d.list.length + ' series, ' + d.times.length + ' buckets of ' + formatStep(step) + ', ' +
        Math.round(performance.now() - started) + ' ms' + (d.list.length ? '' : ': no rows in this range'));
      exposed.loads++;
    } catch (e) {
      if (seq !== loadSeq) return;
      if (!(e instanceof AuthError)) status(e.message, true);
      exposed.loads++;
    }
  }

  // Bucket widths from a second up, in seconds: steps at or above the one
  // the chart's width asks for are rounded up to one of these (or below a
  // second to 1, 2 or 5 times a power of ten nanoseconds), so that buckets
  // start at round times.
  const niceSeconds = [1, 2, 5, 10, 15, 20, 30, 60, 120, 300, 600, 900, 1200, 1800, 3600, 7200, 10800,
    14400, 21600, 28800, 43200, 86400, 172800, 604800].map(BigInt);

  function niceStep(raw) {
    if (raw < 1n) return 1n;
    if (raw < NS) {
      for (let p = 1n; ; p *= 10n) {
        for (const m of [1n, 2n, 5n]) if (m * p >= raw) return m * p;
      }
    }
    for (const s of niceSeconds) if (s * NS >= raw) return s * NS;
    return (raw + 86400n * NS - 1n) / (86400n * NS) * 86400n * NS; // whole days
  }

  function formatStep(step) {
    const s = Number(step) / 1e9;
    if (s >= 86400) return +(s / 86400).toFixed(2) + ' d';
    if (s >= 3600) return +(s / 3600).toFixed(2) + ' h';
    if (s >= 60) return +(s / 60).toFixed(2) + ' min';
    if (s >= 1) return +s.toFixed(3) + ' s';
    return Number(step).toLocaleString('en') + ' ns';
  }

  function pan(direction) {
    if (!shown) return;
    const [from, to] = shown;
    const shift = (to - from) / 2n * BigInt(direction);
    setCustom(from + shift < 0n ? 0n : from + shift, to + shift);
  }

  function zoomOut() {
    if (!shown) return;
    const [from, to] = shown;
    const half = (to - from) / 2n;
    setCustom(from - half < 0n ? 0n : from - half, to + half);
  }

  // ---- refresh ----

  let refreshTimer = 0;
  function scheduleRefresh() {
    clearInterval(refreshTimer);
    if (state.refresh > 0) {
      refreshTimer = setInterval(() => { if (!document.hidden) load(); }, state.refresh * 1000);
    }
  }

  // ---- databases (root mode) ----

  async function loadDatabases() {
    const names = lines(await api('/db/'));
    const sel = $('db');
    sel.replaceChildren(...names.map((n) => new Option(n, n)));
    if (!names.includes(state.db)) state.db = names[0] || '';
    sel.value = state.db;
    if (!names.length) status('No database under this root yet.');
  }

  // ---- wiring ----

  async function start() {
    try {
      if (rootMode) await loadDatabases();
    } catch (e) {
      if (!(e instanceof AuthError)) status(e.message, true);
      return;
    }
    search();
    load();
  }

  function wire() {
    $('search').addEventListener('input', searchSoon);
    $('search-form').addEventListener('submit', (e) => {
      e.preventDefault();
      addFilter($('search').value.trim());
    });
    $('range').addEventListener('change', () => {
      state.range = $('range').value;
      if (state.range === 'custom' && shown) {
        state.after = formatTime(shown[0]);
        state.before = formatTime(shown[1]);
      }
      load();
    });
    $('apply').addEventListener('click', () => {
      state.after = $('after').value.trim();
      state.before = $('before').value.trim();
      state.range = state.after || state.before ? 'custom' : 'all';
      state.columns = $('columns').value.trim();
      load();
    });
    $('columns').addEventListener('change', () => {
      state.columns = $('columns').value.trim();
      load();
    });
    $('refresh').addEventListener('change', () => {
      state.refresh = Number($('refresh').value);
      scheduleRefresh();
      writeURL();
    });
    $('pan-left').addEventListener('click', () => pan(-1));
    $('pan-right').addEventListener('click', () => pan(1));
    $('zoom-out').addEventListener('click', zoomOut);
    document.addEventListener('keydown', (e) => {
      if (e.target instanceof HTMLInputElement) return;
      if (e.key === 'ArrowLeft') pan(-1);
      if (e.key === 'ArrowRight') pan(1);
      if (e.key === '-') zoomOut();
    });
    $('db').addEventListener('change', () => {
      state.db = $('db').value;
      state.filters = [];
      plotKey = '';
      search();
      load();
    });
    $('token-form').addEventListener('submit', (e) => {
      e.preventDefault();
      sessionStorage.setItem('chime-token', $('token').value);
      $('token').value = '';
      $('token-form').hidden = true;
      start();
    });
    let resizeTimer = 0;
    window.addEventListener('resize', () => {
      clearTimeout(resizeTimer);
      resizeTimer = setTimeout(() => {
        if (!plot || plot.width === chartWidth()) return;
        plot.setSize({ width: chartWidth(), height: chartHeight });
        load(); // a new width, a new step
      }, 200);
    });
  }

  readURL();
  $('db-label').hidden = !rootMode;
  wire();
  scheduleRefresh();
  start();
})();
