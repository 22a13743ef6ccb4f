/* Etam outbox (docs/adr/0060). Runs in pages (enhancement only: every form also posts
   without JavaScript) and in the service worker (importScripts), which shares the
   sending code. An item is an application kept in IndexedDB with its own idempotency key
   until the server answered with a tracking number. */
(function (g) {
  'use strict';
  var DB = 'etam-outbox', ITEMS = 'items', META = 'meta', API = '/api/v1/offline';
  var CHUNK = 256 * 1024;
  var T = {
    saved: 'tersimpan di perangkat ini', sending: 'sedang dikirim', received: 'diterima',
    attention: 'perlu perhatian'
  };

  function req2p(r) { return new Promise(function (ok, no) { r.onsuccess = function () { ok(r.result); }; r.onerror = function () { no(r.error); }; }); }
  function open() {
    var r = indexedDB.open(DB, 1);
    r.onupgradeneeded = function () {
      var db = r.result;
      if (!db.objectStoreNames.contains(ITEMS)) db.createObjectStore(ITEMS, { keyPath: 'key' });
      if (!db.objectStoreNames.contains(META)) db.createObjectStore(META);
    };
    return req2p(r);
  }
  // Writes wait for a strict-durability commit: once the page says "tersimpan", the item
  // is on disk (it survives a killed browser).
  function run(store, mode, fn) {
    return open().then(function (db) {
      return new Promise(function (ok, no) {
        var t = db.transaction(store, mode, mode === 'readwrite' ? { durability: 'strict' } : undefined);
        var out = fn(t.objectStore(store));
        t.oncomplete = function () { db.close(); ok(out && 'result' in out ? out.result : out); };
        t.onerror = t.onabort = function () { db.close(); no(t.error); };
      });
    });
  }
  function all() { return run(ITEMS, 'readonly', function (s) { return s.getAll(); }); }
  function get(key) { return run(ITEMS, 'readonly', function (s) { return s.get(key); }); }
  function put(item) { item.updated = new Date().toISOString(); return run(ITEMS, 'readwrite', function (s) { s.put(item); }); }
  function del(key) { return run(ITEMS, 'readwrite', function (s) { s.delete(key); }); }
  function meta(name, value) {
    if (value === undefined) return run(META, 'readonly', function (s) { return s.get(name); });
    return run(META, 'readwrite', function (s) { s.put(value, name); });
  }
  function patch(item, change) {
    return get(item.key).then(function (cur) {
      if (!cur) return null;
      Object.keys(change).forEach(function (k) { cur[k] = change[k]; });
      return put(cur).then(function () { notify(); return cur; });
    });
  }
  function notify() {
    try { new BroadcastChannel('etam-outbox').postMessage('changed'); } catch (e) { /* old browser */ }
    if (g.document) g.dispatchEvent(new Event('etam-outbox'));
  }

  function Retry(msg) { this.message = msg; }
  // Our own messages are Indonesian; a browser's own error (in its language) is named, not shown raw.
  function Say(msg) { var e = new Error(msg); e.ours = true; return e; }
  function explain(e, then) {
    if (e && e.ours) return e.message;
    if (e instanceof Retry) return 'Tidak ada sinyal atau server sedang sibuk; ' + then;
    if (e && e.name === 'QuotaExceededError') return 'Penyimpanan perangkat penuh. Kosongkan ruang (hapus berkas/aplikasi lain), lalu ' + then;
    if (e && e.name === 'NotSupportedError') return 'Peramban ini terlalu lama untuk fitur ini. Perbarui peramban (Chrome/Edge 137+, Firefox 129+, Safari 17+), lalu ' + then;
    return 'Ada kendala di peramban (' + ((e && e.name) || 'galat') + '). Muat ulang halaman, lalu ' + then;
  }
  function fetchJSON(url, opts) {
    opts = opts || {};
    opts.credentials = 'same-origin';
    opts.cache = 'no-store';
    return fetch(url, opts).then(function (r) {
      return r.text().then(function (text) {
        var body = null;
        try { body = text ? JSON.parse(text) : null; } catch (e) { body = null; }
        return { status: r.status, body: body };
      });
    }, function () { throw new Retry('network'); });
  }
  function session() {
    return fetchJSON(API + '/session').then(function (r) {
      if (r.status !== 200 || !r.body) throw new Retry('session ' + r.status);
      return meta('session', { user: r.body.user, name: r.body.name, assist: r.body.assisted_entry }).then(function () { return r.body; });
    });
  }
  function problem(r) {
    var e = (r.body && r.body.error) || {};
    var lines = (e.fields || []).map(function (f) { return f.message; });
    return { message: e.message || ('Galat ' + r.status), fields: lines, code: e.code || '' };
  }

  function uploadFile(item, f, s) {
    var key = item.key + '.' + f.field.replace(/[^A-Za-z0-9_.-]/g, '-');
    var h = { 'Content-Type': 'application/json', 'X-CSRFToken': s.csrf_token };
    var body = JSON.stringify({ key: key, service: item.service, field: f.field, name: f.name, size: f.blob.size, sha256: f.sha256 });
    function step(state) {
      if (state.complete) return key;
      if (state.refused) throw new Retry('upload refused');
      var piece = f.blob.slice(state.received, state.received + CHUNK);
      return fetchJSON(API + '/uploads/' + encodeURIComponent(key) + '?offset=' + state.received, {
        method: 'PUT', body: piece, headers: { 'Content-Type': 'application/octet-stream', 'X-CSRFToken': s.csrf_token }
      }).then(function (r) {
        if (r.status === 200) return step(r.body);
        if (r.status === 409) return fetchJSON(API + '/uploads/' + encodeURIComponent(key)).then(function (q) { return step(q.body); });
        if (r.status >= 500 || r.status === 429) throw new Retry('upload ' + r.status);
        throw problem(r);
      });
    }
    return fetchJSON(API + '/uploads', { method: 'POST', body: body, headers: h }).then(function (r) {
      if (r.status === 200) return step(r.body);
      if (r.status >= 500 || r.status === 429) throw new Retry('upload ' + r.status);
      throw problem(r);
    });
  }

  // A satisfaction-survey answer (docs/adr/0164): the survey token is the credential, no sign-in.
  function sendSurvey(item, s) {
    return fetchJSON('/api/v1/skm/responses', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-CSRFToken': s.csrf_token, 'Idempotency-Key': item.key },
      body: JSON.stringify({ token: item.token, fields: item.fields, filled_on: item.created.slice(0, 10) })
    }).then(function (r) {
      if (r.status === 201 || r.status === 200) {
        return patch(item, { state: 'received', fields: [], message: '', receivedAt: new Date().toISOString() });
      }
      if (r.status >= 500 || r.status === 429) throw new Retry('http ' + r.status);
      var p = problem(r);
      return patch(item, { state: 'attention', retry: false, message: p.message, problems: p.fields, code: p.code });
    });
  }

  function send(item, s) {
    if (item.kind === 'survey') return sendSurvey(item, s);
    var files = {};
    var chain = Promise.resolve();
    (item.files || []).forEach(function (f) {
      chain = chain.then(function () { return uploadFile(item, f, s).then(function (k) { files[f.field] = k; }); });
    });
    return chain.then(function () {
      return fetchJSON(API + '/applications', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-CSRFToken': s.csrf_token, 'Idempotency-Key': item.key },
        body: JSON.stringify({ service: item.service, version: item.version, fields: item.fields, files: files, assisted: item.assisted || null })
      });
    }).then(function (r) {
      if (r.status === 201 || r.status === 200) {
        // Received: the server committed it. Keep only what the list shows.
        return patch(item, {
          state: 'received', tracking: r.body.tracking_number, secret: r.body.receipt_secret,
          caseUrl: r.body.case_url, fields: [], files: [], message: '', receivedAt: new Date().toISOString()
        });
      }
      if (r.status >= 500 || r.status === 429 || (r.body && r.body.error && r.body.error.code === 'upload_incomplete')) throw new Retry('http ' + r.status);
      if (r.status === 401 || r.status === 403) {
        return patch(item, { state: 'attention', retry: true, message: 'Masuk (login) dulu sebagai pemilik isian ini; setelah itu isian dikirim otomatis.' });
      }
      var p = problem(r);
      return patch(item, { state: 'attention', retry: false, message: p.message, problems: p.fields, code: p.code });
    }, function (e) {
      if (e instanceof Retry) throw e;
      var ours = e && (e.ours || e.fields);
      return patch(item, { state: 'attention', retry: false, message: ours ? e.message : explain(e, 'buka formulir dengan isian ini dan kirim lagi.'), problems: (ours && e.fields) || [] });
    });
  }

  var busy = null;
  function syncNow() {
    return all().then(function (items) {
      var todo = items.filter(function (i) { return i.state === 'saved' || i.state === 'sending' || (i.state === 'attention' && i.retry); });
      if (!todo.length) return 0;
      return session().then(function (s) {
        var chain = Promise.resolve(0);
        todo.sort(function (a, b) { return a.created < b.created ? -1 : 1; });
        todo.forEach(function (item) {
          chain = chain.then(function (n) {
            if (item.kind !== 'survey' && (!s.user || String(s.user) !== String(item.owner))) {
              return patch(item, { state: 'attention', retry: true, message: 'Masuk (login) dulu sebagai ' + (item.ownerName || 'pemilik isian') + '; setelah itu isian dikirim otomatis.' }).then(function () { return n; });
            }
            return patch(item, { state: 'sending', attempts: (item.attempts || 0) + 1 })
              .then(function () { return send(item, s); })
              .then(function () { return n + 1; }, function (e) {
                return patch(item, { state: 'saved' }).then(function () { throw e; });
              });
          });
        });
        return chain;
      });
    }).catch(function (e) { if (!(e instanceof Retry)) throw e; return -1; });
  }
  // One sender at a time across tabs and the service worker (Web Locks where present);
  // a second sender would be harmless anyway: the server de-duplicates by key.
  function sync() {
    if (busy) return busy;
    var go = (g.navigator && g.navigator.locks)
      ? function () { return g.navigator.locks.request('etam-outbox', { ifAvailable: true }, function (lock) { return lock ? syncNow() : 0; }); }
      : syncNow;
    busy = go().then(function (n) { busy = null; return n; }, function (e) { busy = null; throw e; });
    return busy;
  }

  g.EtamOutbox = { all: all, get: get, put: put, del: del, meta: meta, sync: sync, labels: T, notify: notify };
  if (!g.document) return;

  // ---------------------------------------------------------------- pages only
  var d = g.document;
  function $(sel, root) { return (root || d).querySelector(sel); }
  function $$(sel, root) { return Array.prototype.slice.call((root || d).querySelectorAll(sel)); }
  function el(tag, text, cls) { var e = d.createElement(tag); if (text) e.textContent = text; if (cls) e.className = cls; return e; }

  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (r) {
      if (!r.active) return;
      // This page and the pages it marks (data-offline-keep) are kept if the worker's list allows.
      if (!location.search) r.active.postMessage({ keep: location.pathname });
      $$('a[data-offline-keep]').forEach(function (a) { r.active.postMessage({ keep: new URL(a.href).pathname }); });
    }).catch(function () { /* pages work without it */ });
    // Signing out: the worker forgets the pages shown while signed in (the outbox stays).
    d.addEventListener('submit', function (ev) {
      if (ev.target.hasAttribute && ev.target.hasAttribute('data-sign-out') && navigator.serviceWorker.controller) {
        navigator.serviceWorker.controller.postMessage({ forget: true });
      }
    }, true);
  }
  function later() {
    if ('serviceWorker' in navigator && g.SyncManager) {
      navigator.serviceWorker.ready.then(function (r) { return r.sync.register('etam-outbox'); }).catch(function () {});
    }
    return sync().catch(function () {});
  }
  function askPersist() {
    if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(function () {});
  }
  function storageNote(box) {
    if (!box || !navigator.storage || !navigator.storage.estimate) return;
    navigator.storage.estimate().then(function (e) {
      var free = (e.quota || 0) - (e.usage || 0);
      box.textContent = '';
      if (e.quota && (free < 50 * 1024 * 1024 || e.usage / e.quota > 0.8)) {
        box.appendChild(el('p', 'Ruang penyimpanan peramban hampir penuh (sisa ' + Math.round(free / 1048576) +
          ' MB). Kirim atau ekspor isian yang menunggu, dan kosongkan ruang, sebelum mengisi lagi.', 'ob-warn'));
      }
    }).catch(function () {});
  }

  function sha256(blob) {
    return blob.arrayBuffer().then(function (b) { return crypto.subtle.digest('SHA-256', b); }).then(function (h) {
      return Array.prototype.map.call(new Uint8Array(h), function (x) { return ('0' + x.toString(16)).slice(-2); }).join('');
    });
  }
  // Photos are made smaller on the device: at most 1600 px on the long side.
  function shrink(file) {
    if (!/^image\/(jpeg|png)$/.test(file.type) || !g.createImageBitmap) return Promise.resolve(file);
    return createImageBitmap(file).then(function (img) {
      var scale = Math.min(1, 1600 / Math.max(img.width, img.height));
      if (scale === 1 && file.size < 400 * 1024) return file;
      var c = d.createElement('canvas');
      c.width = Math.round(img.width * scale); c.height = Math.round(img.height * scale);
      c.getContext('2d').drawImage(img, 0, 0, c.width, c.height);
      return new Promise(function (ok) { c.toBlob(function (b) { ok(b && b.size < file.size ? b : file); }, file.type, 0.8); });
    }).catch(function () { return file; });
  }

  // 512 KB, 2 MB, 1,5 MB: sizes as people say them (issue 15).
  function size(kb) { var t = Math.round(kb * 10 / 1024); return kb < 1024 ? kb + ' KB' : (t % 10 ? (t / 10).toFixed(1).replace('.', ',') : t / 10) + ' MB'; }
  function collect(form) {
    var fd = new FormData(form), fields = [], files = [], assisted = null, jobs = [];
    var limit = (parseInt(form.dataset.fileLimit, 10) || 5120) * 1024;
    fd.forEach(function (v, k) {
      if (k.charAt(0) === '_' || k === 'csrfmiddlewaretoken') return;
      if (typeof v === 'string') { fields.push([k, v]); return; }
      if (!v.size) return;
      jobs.push(shrink(v).then(function (b) {
        if (b.size > limit) {
          throw Say('Berkas "' + v.name + '" ' + size(Math.ceil(b.size / 1024)) + ', lebih besar dari batas ' + size(limit / 1024) + '. Pilih berkas yang lebih kecil.');
        }
        return sha256(b).then(function (h) { files.push({ field: k, name: v.name, type: b.type, blob: b, sha256: h }); });
      }));
    });
    if (form.hasAttribute('data-assisted')) {
      assisted = {
        citizen_name: (fd.get('_warga_nama') || '').trim(), nik: (fd.get('_warga_nik') || '').trim(),
        phone: (fd.get('_warga_telepon') || '').trim(), place: (fd.get('_tempat') || '').trim(),
        consent: fd.get('_persetujuan') === '1', consent_text: ($('label.opt', $('#warga')) || {}).textContent || '',
        consent_at: new Date().toISOString()
      };
      if (!assisted.citizen_name) return Promise.reject(Say('Nama warga: tulis nama lengkap warga yang dibantu.'));
      if (!assisted.consent) return Promise.reject(Say('Persetujuan: centang hanya setelah warga setuju isian ini dimasukkan atas namanya.'));
    }
    return Promise.all(jobs).then(function () { return { fields: fields, files: files, assisted: assisted }; });
  }

  function say(form, text, bad) {
    var box = $('[data-offline-status]', form);
    if (!box) return;
    box.textContent = text;
    box.className = bad ? 'errorlist' : '';
    box.focus && box.setAttribute('tabindex', '-1');
  }
  // After "tersimpan": a box at the top of the form that cannot be missed, the form emptied
  // (so nobody sends the same application twice), the box in view.
  function saved(form, title, text) {
    var box = $('[data-offline-saved]', form);
    if (!box) {
      box = el('div', '', 'ob-saved'); box.setAttribute('data-offline-saved', ''); box.setAttribute('role', 'status'); box.tabIndex = -1;
      form.insertBefore(box, form.firstChild);
    }
    box.textContent = '';
    box.appendChild(el('h2', title)); box.appendChild(el('p', text));
    form.reset();
    $$('[data-rules-summary],[data-rules-error]', form).forEach(function (x) { x.remove(); });
    box.scrollIntoView && box.scrollIntoView({ block: 'start' });
    box.focus();
    return box;
  }
  function settle(form, text) { var b = $('[data-offline-saved] p', form); if (b) b.textContent = text; }

  function onSubmit(ev) {
    var form = ev.target;
    if (!form.hasAttribute || !form.hasAttribute('data-offline-form')) return;
    var sub = ev.submitter;
    if (sub && sub.name && sub.name.charAt(0) === '_' && navigator.onLine) return; // add/remove entry: server re-renders
    ev.preventDefault();
    // NIK, phone, required fields and the form's cross-field rules, on the device (rules.js).
    if (g.EtamRules && !g.EtamRules.guard(form)) return;
    if (!g.indexedDB || !g.crypto || !crypto.randomUUID) { form.submit(); return; }
    if (form.dataset.surveyToken) { onSurvey(form); return; }
    collect(form).then(function (c) {
      return meta('session').then(function (s) {
        var item = {
          key: crypto.randomUUID(), owner: form.dataset.user || (s && s.user), ownerName: (s && s.name) || '',
          kind: c.assisted ? 'assisted' : 'citizen', service: parseInt(form.dataset.service, 10),
          version: parseInt(form.dataset.version, 10), serviceName: form.dataset.serviceName, url: location.pathname,
          fields: c.fields, files: c.files, assisted: c.assisted, state: 'saved', attempts: 0,
          created: new Date().toISOString()
        };
        return put(item).then(function () {
          if (form.dataset.replaces) { del(form.dataset.replaces); delete form.dataset.replaces; }
          return item;
        });
      });
    }).then(function (item) {
      askPersist();
      notify();
      if (item.kind === 'assisted') {
        var msg = 'Tersimpan di perangkat ini: ' + item.assisted.citizen_name + '. Formulir siap untuk warga berikutnya.';
        saved(form, 'Tersimpan', msg);
        say(form, msg);
      } else {
        var note = 'Permohonan ' + (item.serviceName || '') + ' tersimpan di perangkat ini dan dikirim otomatis begitu ada sinyal; lihat Kotak keluar. Formulir sudah dikosongkan: jangan isi lagi untuk permohonan yang sama.';
        saved(form, 'Tersimpan', note);
        say(form, 'Tersimpan di perangkat ini. Permohonan dikirim otomatis begitu ada sinyal; lihat Kotak keluar.');
      }
      return later().then(function () { return get(item.key); }).then(function (now) {
        if (now && now.state === 'received' && item.kind !== 'assisted') {
          var text = 'Diterima. Nomor pelacakan: ' + now.tracking + ' · kode rahasia tanda terima: ' + now.secret;
          say(form, text); settle(form, text);
        } else if (now && now.state === 'attention' && item.kind !== 'assisted') {
          var why = 'Perlu perhatian: ' + now.message + ' ' + (now.problems || []).join(' ') + ' Buka Kotak keluar untuk memperbaikinya.';
          say(form, why, true); settle(form, why);
        }
      });
    }).catch(function (e) {
      var msg = e && e.name === 'QuotaExceededError'
        ? 'Penyimpanan perangkat penuh: isian BELUM tersimpan. Kosongkan ruang (hapus berkas/aplikasi lain), lalu tekan Kirim lagi; isian di layar tetap ada.'
        : explain(e, 'tekan Kirim lagi; isian di layar tetap ada.');
      say(form, msg, true);
    });
  }
  d.addEventListener('submit', onSubmit, true);

  // The survey (docs/adr/0164): every element answered, checked here so a blank spot hears it
  // at once; then kept like an application and sent with its token when there is a signal.
  function onSurvey(form) {
    var missing = $$('fieldset[data-element]', form).filter(function (f) { return !$('input:checked', f); });
    if (missing.length) {
      say(form, missing.map(function (f) { return 'Unsur ' + f.dataset.element + ' (' + f.dataset.name + '): pilih salah satu dari empat jawaban.'; }).join(' '), true);
      var first = $('input', missing[0]); if (first) first.focus();
      return;
    }
    collect(form).then(function (c) {
      var item = {
        key: crypto.randomUUID(), kind: 'survey', token: form.dataset.surveyToken, serviceName: form.dataset.serviceName,
        url: location.pathname, fields: c.fields, files: [], state: 'saved', attempts: 0, created: new Date().toISOString()
      };
      return put(item).then(function () { return item; });
    }).then(function (item) {
      askPersist();
      notify();
      saved(form, 'Tersimpan', 'Jawaban survei tersimpan di perangkat ini dan dikirim otomatis begitu ada sinyal; lihat Kotak keluar.');
      say(form, 'Tersimpan di perangkat ini. Jawaban survei dikirim otomatis begitu ada sinyal.');
      return later().then(function () { return get(item.key); }).then(function (now) {
        if (now && now.state === 'received') {
          var text = 'Diterima. Terima kasih atas penilaian Anda.'; say(form, text); settle(form, text);
        } else if (now && now.state === 'attention') {
          var why = 'Perlu perhatian: ' + now.message + ' ' + (now.problems || []).join(' ');
          say(form, why, true); settle(form, why);
        }
      });
    }).catch(function (e) { say(form, explain(e, 'tekan Kirim lagi; isian di layar tetap ada.'), true); });
  }

  // Repeating groups without the server: "add another" copies the last entry.
  d.addEventListener('click', function (ev) {
    var b = ev.target.closest && ev.target.closest('button[name="_add"]');
    if (!b || !b.form || !b.form.hasAttribute('data-offline-form')) return;
    var name = b.value, count = b.form.querySelector('input[name="' + name + '__count"]');
    var group = b.closest('fieldset'), items = $$(':scope > fieldset', group);
    if (!count || !items.length) return;
    ev.preventDefault();
    var n = parseInt(count.value, 10) || items.length, copy = items[items.length - 1].cloneNode(true);
    var from = name + '__' + (n - 1) + '__', to = name + '__' + n + '__';
    $$('[name],[id],[for]', copy).forEach(function (x) {
      ['name', 'id', 'for'].forEach(function (a) { var v = x.getAttribute(a); if (v) x.setAttribute(a, v.split(from).join(to)); });
      if (x.matches('input[type=text],input[type=tel],input[type=email],input[type=date],textarea')) x.value = '';
      if (x.matches('input[type=checkbox],input[type=radio]')) x.checked = false;
      if (x.matches('button[name="_remove"]')) x.remove();
    });
    items[items.length - 1].after(copy);
    count.value = n + 1;
  });

  // The address picker from the whole-province file (cached), so it works offline.
  var tree = null;
  function regions() {
    if (tree) return Promise.resolve(tree);
    return fetch('/luring/wilayah.json').then(function (r) { return r.json(); }).then(function (t) { tree = t; return t; });
  }
  function fill(sel, options) {
    var keep = sel.value;
    while (sel.options.length > 1) sel.remove(1);
    Object.keys(options).forEach(function (code) {
      var o = options[code];
      sel.add(new Option(Array.isArray(o) ? o[0] : o, code));
    });
    sel.disabled = !Object.keys(options).length;
    if (options[keep]) sel.value = keep;
  }
  function wire(form) {
    $$('[data-wilayah-button]', form).forEach(function (b) { b.hidden = true; });
    form.addEventListener('change', function (ev) {
      var s = ev.target;
      if (!s.dataset || !s.dataset.wilayah) return;
      var base = s.name.replace(/__(kabupaten_kota|kecamatan|desa_kelurahan)$/, '');
      var kec = form.querySelector('select[name="' + base + '__kecamatan"]');
      var desa = form.querySelector('select[name="' + base + '__desa_kelurahan"]');
      regions().then(function (t) {
        if (s.dataset.wilayah === 'kabupaten_kota' && kec) {
          fill(kec, (t[s.value] || [0, {}])[1]);
          if (desa) fill(desa, {});
        } else if (s.dataset.wilayah === 'kecamatan' && desa) {
          var kab = t[s.value.slice(0, 5)] || [0, {}];
          fill(desa, (kab[1][s.value] || [0, {}])[1]);
        }
      }).catch(function () {});
    });
  }

  // Re-open an item that needs attention: the form is filled with what was saved.
  function restore(form) {
    var key = new URLSearchParams(location.search).get('ulang');
    if (!key) return;
    get(key).then(function (item) {
      if (!item) return;
      (item.fields || []).forEach(function (p) {
        $$('[name="' + p[0] + '"]', form).forEach(function (x) {
          if (x.type === 'checkbox' || x.type === 'radio') { if (x.value === p[1]) x.checked = true; } else x.value = p[1];
        });
      });
      say(form, 'Isian dari kotak keluar dimuat. Perbaiki, lalu Kirim; isian lama dihapus setelah yang baru tersimpan.');
      form.dataset.replaces = key;
    });
  }

  function fmt(iso) { try { return new Date(iso).toLocaleString('id-ID'); } catch (e) { return iso; } }
  function render() {
    var list = $('[data-outbox-list]');
    if (!list) return;
    var only = list.getAttribute('data-outbox-list');
    all().then(function (items) {
      items = items.filter(function (i) { return !only || i.kind === only; }).sort(function (a, b) { return a.created < b.created ? 1 : -1; });
      list.textContent = '';
      if (!items.length) { list.appendChild(el('li', 'Kotak keluar kosong.')); }
      var pending = 0, old = false;
      items.forEach(function (i) {
        var li = el('li'); li.dataset.key = i.key; li.dataset.state = i.state;
        var head = el('p');
        head.appendChild(el('span', T[i.state] || i.state, 'ob-state'));
        head.appendChild(d.createTextNode(' · ' + (i.serviceName || '') + (i.assisted ? ' · ' + i.assisted.citizen_name : '') + ' · ' + fmt(i.created)));
        li.appendChild(head);
        if (i.state === 'received' && i.kind === 'survey') {
          li.appendChild(el('p', 'Jawaban survei kepuasan diterima. Terima kasih.'));
        } else if (i.state === 'received') {
          li.appendChild(el('p', 'Nomor pelacakan: ' + i.tracking + (i.secret ? ' · kode rahasia tanda terima: ' + i.secret : '')));
        } else {
          pending++;
          if (Date.now() - Date.parse(i.created) > 5 * 864e5) old = true;
        }
        if (i.state === 'saved') li.appendChild(el('p', 'Menunggu sinyal; tidak perlu berbuat apa-apa.'));
        if (i.state === 'attention') {
          li.appendChild(el('p', i.message || ''));
          (i.problems || []).forEach(function (m) { li.appendChild(el('p', '• ' + m)); });
          if (!i.retry && i.url) { var a = el('a', 'Buka formulir dengan isian ini'); a.href = i.url + '?ulang=' + encodeURIComponent(i.key); li.appendChild(a); }
          var x = el('button', 'Hapus dari perangkat', 'linkish'); x.type = 'button';
          x.onclick = function () { if (confirm('Hapus isian ini dari perangkat? Tidak bisa dibatalkan.')) del(i.key).then(render); };
          li.appendChild(d.createTextNode(' ')); li.appendChild(x);
        }
        list.appendChild(li);
      });
      var b = $('[data-outbox-sync]'); if (b) b.hidden = !pending;
      var e = $('[data-bundle-export]'); if (e) e.hidden = !pending;
      var box = $('[data-outbox-storage]');
      storageNote(box);
      if (old && box) box.appendChild(el('p', 'Ada isian yang menunggu lebih dari 5 hari. Beberapa peramban menghapus data situs yang tidak dibuka selama 7 hari: kirim segera, atau (petugas) ekspor sebagai bundel.', 'ob-warn'));
    });
  }

  // ---------------------------------------------------------------- bundles (officers)
  function b64(bytes) {
    var s = '', u = new Uint8Array(bytes);
    for (var i = 0; i < u.length; i += 0x8000) s += String.fromCharCode.apply(null, u.subarray(i, i + 0x8000));
    return btoa(s);
  }
  function b64url(bytes) { return b64(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''); }
  function registerDevice() {
    var status = $('[data-device-key-status]');
    return crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify']).then(function (pair) {
      return crypto.subtle.exportKey('raw', pair.publicKey).then(function (raw) {
        return session().then(function (s) {
          return fetchJSON(API + '/device-keys', {
            method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRFToken': s.csrf_token },
            body: JSON.stringify({ public_key: b64url(raw), label: (navigator.userAgent.match(/\(([^)]*)\)/) || [0, 'Perangkat'])[1].slice(0, 90) })
          });
        }).then(function (r) {
          if (r.status !== 200) throw Say(problem(r).message);
          return meta('device', { keyId: r.body.key_id, privateKey: pair.privateKey }).then(function () {
            if (status) status.textContent = 'Perangkat ini terdaftar (' + r.body.key_id + '). Bundel dari perangkat ini bisa diimpor di mana saja.';
          });
        });
      });
    }).catch(function (e) { if (status) status.textContent = 'Gagal mendaftarkan perangkat: ' + explain(e, 'coba lagi saat ada sinyal.'); });
  }
  function exportBundle() {
    var status = $('[data-bundle-status]');
    return Promise.all([meta('device'), meta('session'), all()]).then(function (r) {
      var device = r[0], s = r[1];
      if (!device) throw Say('Perangkat ini belum terdaftar. Daftarkan (perlu sinyal sekali), lalu ekspor.');
      var items = r[2].filter(function (i) { return i.state !== 'received' && String(i.owner) === String(s && s.user); });
      if (!items.length) throw Say('Tidak ada isian yang menunggu.');
      return Promise.all(items.map(function (i) {
        var files = {};
        return Promise.all((i.files || []).map(function (f) {
          return f.blob.arrayBuffer().then(function (buf) { files[f.field] = { name: f.name, type: f.type, sha256: f.sha256, data: b64(buf) }; });
        })).then(function () {
          return { key: i.key, service: i.service, service_name: i.serviceName, version: i.version, fields: i.fields, files: files, assisted: i.assisted };
        });
      })).then(function (out) {
        var payload = new TextEncoder().encode(JSON.stringify({
          bundle_id: crypto.randomUUID(), created_at: new Date().toISOString(), officer: s.user, items: out
        }));
        return crypto.subtle.sign({ name: 'Ed25519' }, device.privateKey, payload).then(function (sig) {
          var text = JSON.stringify({ format: 'etam-bundel/1', key_id: device.keyId, payload: b64(payload), signature: b64url(sig) });
          var a = el('a'); a.href = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
          a.download = 'etam-bundel-' + new Date().toISOString().slice(0, 16).replace(/[:T]/g, '') + '.etam';
          d.body.appendChild(a); a.click(); a.remove();
          if (status) status.textContent = out.length + ' isian diekspor ke berkas ' + a.download + '. Isian tetap di perangkat sampai diterima server; impor berulang tidak membuat ganda.';
        });
      });
    }).catch(function (e) { if (status) status.textContent = explain(e, 'ekspor lagi; isian tetap di perangkat.'); });
  }

  // The header's outbox link shows once this device holds something (issue 15).
  function showNav() {
    var links = $$('[data-outbox-nav]');
    if (!links.length) return;
    all().then(function (items) {
      if (items.length) links.forEach(function (li) { li.hidden = false; });
    }, function () { /* no IndexedDB: nothing can be in the outbox */ });
  }

  function start() {
    $$('form[data-offline-form]').forEach(function (f) { wire(f); restore(f); });
    // The service page renders its offline-form link (translated) hidden: it needs this script.
    $$('[data-offline-link]').forEach(function (p) { p.hidden = false; });
    showNav();
    g.addEventListener('etam-outbox', showNav);
    var sb = $('[data-outbox-sync]'); if (sb) sb.onclick = function () { sync().then(render, render); };
    var eb = $('[data-bundle-export]'); if (eb) eb.onclick = exportBundle;
    var rb = $('[data-device-register]');
    if (rb) meta('device').then(function (dv) { rb.hidden = !!dv; rb.onclick = registerDevice; });
    try { new BroadcastChannel('etam-outbox').onmessage = render; } catch (e) { /* old browser */ }
    g.addEventListener('etam-outbox', render);
    g.addEventListener('online', later);
    render();
    later().then(render);
  }
  if (d.readyState === 'loading') d.addEventListener('DOMContentLoaded', start); else start();
  g.EtamOutbox.exportBundle = exportBundle;
  g.EtamOutbox.registerDevice = registerDevice;
})(self);
