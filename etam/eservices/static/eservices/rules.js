/* Form checks on the device (issue 15, ADR 0125): the cross-field rules of the form engine
   (etam/eservices/formengine/rules.py) plus required fields, NIK and phone, with the very
   message templates the server renders into <script type="application/json" id="etam-rules">.
   The server checks everything again; this only saves a round trip (and, offline, queueing
   an application the server would refuse). tests/eservices/form_rules_vectors.json runs
   against this file (node) and against the server, so they cannot drift apart.
   Importable: require('rules.js').check(payload, values). */
(function (g) {
  'use strict';
  function fmt(t, v) { return t.replace(/%\((\w+)\)s/g, function (m, k) { return String(v[k]); }); }
  function pad(n, w) { n = String(n); while (n.length < (w || 2)) n = '0' + n; return n; }
  function mk(y, m, d) {
    var x = new Date(Date.UTC(y, m - 1, d));
    return x.getUTCFullYear() === y && x.getUTCMonth() === m - 1 && x.getUTCDate() === d ? { y: y, m: m, d: d, t: x.getTime() } : null;
  }
  function parse(s) {
    if (typeof s !== 'string') return null;
    s = s.trim();
    var a = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(s);
    if (a) return mk(+a[1], +a[2], +a[3]);
    a = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(s);
    return a ? mk(+a[3], +a[2], +a[1]) : null;
  }
  function show(x) { return pad(x.d) + '/' + pad(x.m) + '/' + pad(x.y, 4); }
  function add(x, days) { var z = new Date(x.t + days * 864e5); return mk(z.getUTCFullYear(), z.getUTCMonth() + 1, z.getUTCDate()); }
  function ageOn(b, x) { return x.y - b.y - ((x.m < b.m || (x.m === b.m && x.d < b.d)) ? 1 : 0); }
  function refDay(on, today) {
    if (on && /^\d{2}-\d{2}$/.test(on)) return mk(today.y, +on.slice(0, 2), +on.slice(3)) || today;
    return parse(on) || today;
  }

  function nikRule(r, v, values, M) {
    var s = typeof v === 'string' ? v.replace(/[\s.-]/g, '') : '';
    if (!/^\d{16}$/.test(s)) return null;
    var part = s.slice(6, 12), d = +part.slice(0, 2), m = +part.slice(2, 4), yy = +part.slice(4, 6), fem = d > 40;
    if (fem) d -= 40;
    if (r.birth_date) {
      var b = parse(values[r.birth_date]);
      if (b && (b.d !== d || b.m !== m || b.y % 100 !== yy)) {
        return fmt(M.nik_birth, { label: r.label, part: part, nik_date: pad(d) + '/' + pad(m) + '/' + pad(yy), other: r.birth_date_label, other_value: show(b) });
      }
    }
    var sex = r.sex ? values[r.sex] : null;
    if (typeof sex === 'string' && sex && r.female && fem !== (sex === r.female)) {
      return fmt(M[fem ? 'nik_female' : 'nik_male'], { label: r.label, part: part.slice(0, 2), other: r.sex_label, other_value: (r.sex_choices || {})[sex] || sex });
    }
    return null;
  }

  function rule(r, values, today, M) {
    var v = values[r.name], label = r.label;
    if (r.kind === 'nik_matches') return nikRule(r, v, values, M);
    var x = parse(v);
    if (!x) return null;
    var o;
    switch (r.kind) {
      case 'before': case 'on_or_before': case 'after': case 'on_or_after':
        o = parse(values[r.field]);
        if (!o) return null;
        var ok = { before: x.t < o.t, on_or_before: x.t <= o.t, after: x.t > o.t, on_or_after: x.t >= o.t }[r.kind];
        return ok ? null : fmt(M[r.kind], { label: label, value: show(x), other: r.field_label, other_value: show(o) });
      case 'not_past': return x.t >= today.t ? null : fmt(M.not_past, { label: label });
      case 'not_future': return x.t <= today.t ? null : fmt(M.not_future, { label: label });
      case 'within_days':
        var a = add(today, -r.days), z = add(today, +r.days);
        return x.t >= a.t && x.t <= z.t ? null : fmt(M.within_days, { label: label, days: r.days, start: show(a), end: show(z) });
      case 'age':
        var on = refDay(r.on, today), age = ageOn(x, on);
        if (r.min != null && age < r.min) return fmt(M.age_min, { label: label, on: show(on), min: r.min, age: age });
        if (r.max != null && age > r.max) return fmt(M.age_max, { label: label, on: show(on), max: r.max, age: age });
    }
    return null;
  }

  function nik(label, v, today, M) {
    var s = v.replace(/[\s.-]/g, ''), seen = [];
    s.split('').forEach(function (c) { if (!/[0-9]/.test(c) && seen.indexOf(c) < 0) seen.push(c); });
    if (seen.length) return fmt(M.nik_digits, { label: label, letters: seen.slice(0, 5).map(function (c) { return '\u201c' + c + '\u201d'; }).join(', ') });
    if (s.length !== 16) return fmt(M.nik_length, { label: label, count: s.length });
    var part = s.slice(6, 12), d = +part.slice(0, 2), m = +part.slice(2, 4), yy = +part.slice(4, 6);
    if (d > 40) d -= 40;
    var b = mk(2000 + yy <= today.y ? 2000 + yy : 1900 + yy, m, d);
    if (!b) return fmt(M.nik_date, { label: label, part: part });
    if (b.t > today.t) return fmt(M.nik_future, { label: label, part: part });
    if (s.slice(12) === '0000') return fmt(M.nik_serial, { label: label });
    return null;
  }
  function phone(v) {
    var s = v.replace(/[\s().-]/g, '');
    if (/^\+62/.test(s)) s = s.slice(3); else if (/^62/.test(s)) s = s.slice(2); else if (/^0/.test(s)) s = s.slice(1); else if (/^\+/.test(s)) return false;
    return /^[1-9]\d{6,11}$/.test(s);
  }
  function shown(f, values) {
    return (f.visible_if || []).every(function (c) {
      var want = 'equals' in c ? [c.equals] : c['in'], have = values[c.field];
      return want.some(function (w) { return String(have) === (w === true ? 'ya' : w === false ? 'tidak' : String(w)); });
    });
  }
  function local() { var n = new Date(); return mk(n.getFullYear(), n.getMonth() + 1, n.getDate()); }

  /* payload: {today, rules, known, fields, messages}; values: name -> string. A field whose own
     check fails (or an older not_past/not_future flag) is left out of the cross-field rules. */
  function check(p, values) {
    var M = p.messages, today = p.today ? parse(p.today) : local(), out = {}, all = {}, bad = {};
    Object.keys(p.known || {}).forEach(function (k) { all[k] = p.known[k]; });
    Object.keys(values).forEach(function (k) { all[k] = values[k]; });
    var rules = p.rules || [], legacy = rules.filter(function (r) { return r.legacy; });
    (p.fields || []).forEach(function (f) {
      if (!shown(f, all)) { bad[f.name] = true; return; }
      var v = (all[f.name] || '').trim(), msg = null;
      if (!v) {
        if (f.required) msg = fmt(M[{ choice: 'required_choice', yes_no: 'required_choice', multi_choice: 'required_choice', file: 'required_file' }[f.type] || 'required'], { label: f.label });
        else bad[f.name] = true;
      } else if (f.type === 'nik') msg = nik(f.label, v, today, M);
      else if (f.type === 'phone' && !phone(v)) msg = fmt(M.phone, { label: f.label });
      else if (f.type === 'date' && !parse(v)) msg = fmt(M.date, { label: f.label });
      legacy.forEach(function (r) { if (!msg && !bad[f.name] && v && r.name === f.name) msg = rule(r, all, today, M); });
      if (msg) { out[f.name] = msg; bad[f.name] = true; }
    });
    Object.keys(bad).forEach(function (k) { delete all[k]; });
    rules.forEach(function (r) {
      if (r.legacy || out[r.name] || bad[r.name]) return;
      var msg = rule(r, all, today, M);
      if (msg) out[r.name] = msg;
    });
    return out;
  }

  var api = { check: check };
  if (typeof module === 'object' && module.exports) { module.exports = api; return; }
  g.EtamRules = api;
  var d = g.document;
  if (!d) return;

  function values(form) {
    var out = {};
    new FormData(form).forEach(function (v, k) {
      if (typeof v === 'string') { if (v || !(k in out)) out[k] = v; }
      else if (v && v.size) out[k] = v.name;
    });
    Object.keys(out).forEach(function (k) { if (/__keep$/.test(k) && out[k] === '1') out[k.slice(0, -6)] = out[k.slice(0, -6)] || 'tersimpan'; });
    return out;
  }
  function clear(form) {
    Array.prototype.forEach.call(form.querySelectorAll('[data-rules-error]'), function (e) { e.remove(); });
    Array.prototype.forEach.call(form.querySelectorAll('[data-rules-invalid]'), function (e) { e.removeAttribute('aria-invalid'); e.removeAttribute('data-rules-invalid'); });
  }
  /* true when the form may go; otherwise the messages are shown by their fields and on top. */
  api.guard = function (form) {
    var block = d.getElementById('etam-rules');
    if (!block) return true;
    var p = JSON.parse(block.textContent), errs = check(p, values(form)), names = Object.keys(errs);
    clear(form);
    var sum = form.querySelector('[data-rules-summary]');
    if (!names.length) { if (sum) sum.remove(); return true; }
    if (!sum) {
      sum = d.createElement('div'); sum.className = 'errsum'; sum.setAttribute('role', 'alert'); sum.tabIndex = -1;
      sum.setAttribute('data-rules-summary', ''); form.insertBefore(sum, form.firstChild);
    }
    sum.textContent = '';
    var h = d.createElement('h2'); h.textContent = M0(p); sum.appendChild(h);
    var ul = d.createElement('ul'); sum.appendChild(ul);
    names.forEach(function (n) {
      var li = d.createElement('li'), a = d.createElement('a'); a.href = '#f-' + n; a.textContent = errs[n]; li.appendChild(a); ul.appendChild(li);
      var input = d.getElementById('f-' + n), box = input && (input.closest('div') || input);
      if (!box) return;
      var e = d.createElement('p'); e.className = 'errorlist'; e.setAttribute('data-rules-error', ''); e.textContent = errs[n];
      var at = box.querySelector('input,select,textarea,label.opt');
      box.insertBefore(e, at && at.parentNode === box ? at : null);
      if (input.matches('input,select,textarea')) { input.setAttribute('aria-invalid', 'true'); input.setAttribute('data-rules-invalid', ''); }
    });
    sum.focus();
    return false;
  };
  function M0(p) { return p.messages.summary || ''; }
  d.addEventListener('submit', function (ev) {
    var form = ev.target, sub = ev.submitter;
    if (!form.hasAttribute('data-rules') || form.hasAttribute('data-offline-form')) return;
    if (sub && sub.name && sub.name.charAt(0) === '_') return; /* back, save for later, add/remove */
    if (!api.guard(form)) ev.preventDefault();
  });
})(this);
