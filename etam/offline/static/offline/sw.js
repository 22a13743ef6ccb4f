/* Etam service worker (docs/adr/0060, 0079), served at /sw.js with scope "/".
   Only pages on an explicit list are ever kept, and never a response marked no-store:
   - etam-pages-<version>: the home page, the catalogue and service pages as the person saw
     them; answered from the cache at once and refreshed in the background; deleted at
     sign-out and when the person switches language (else the next page would still be
     the kept one in the old language).
   - etam-forms-<version>: the blank one-page forms (citizen and assisted entry), the device
     batch page and the outbox page, for blank spots; they survive sign-out (they hold no
     one's data but the signed-in person's name), and a new worker fetches them anew.
   - etam-static-<version>: our scripts.
   <version> is derived from the deployed static files; a new worker deletes every other
   cache when it takes over. The outbox itself (IndexedDB) is never touched here. */
'use strict';
importScripts('__CORE__');
var VERSION = '__VERSION__';
var STATIC = 'etam-static-' + VERSION;
var PAGES = 'etam-pages-' + VERSION;
var FORMS = 'etam-forms-' + VERSION;
var PRECACHE = __PRECACHE__;
var SIGN_OUT = '__LOGOUT__';
var SET_LANGUAGE = '__SET_LANGUAGE__';
var LANGUAGE_COOKIE = '__LANGUAGE_COOKIE__';
// The allowlist: no other path is ever cached. No staff page that lists people is on it.
var PAGE_RE = [/^\/$/, /^\/layanan\/$/, /^\/layanan\/[a-z0-9-]+\/$/, /^\/layanan\/wilayah\/[0-9.]+\/$/, /^\/manifest\.webmanifest$/];
var FORM_RE = [/^\/luring\/layanan\/[a-z0-9-]+\/$/, /^\/staf\/petugas\/layanan\/[a-z0-9-]+\/$/, /^\/staf\/petugas\/luring\/$/,
  /^\/kotak-keluar\/$/, /^\/luring\/wilayah\.json$/,
  // the satisfaction survey of one finished case, opened once from its link (docs/adr/0164)
  /^\/survei\/[A-Za-z0-9_-]{20,100}\/$/];

function cacheFor(path) {
  if (FORM_RE.some(function (re) { return re.test(path); })) return FORMS;
  if (PAGE_RE.some(function (re) { return re.test(path); })) return PAGES;
  return null;
}
// What may be stored: our own successful answer, not a redirect, not marked no-store.
function keepable(r) {
  return !!r && r.ok && !r.redirected && r.type === 'basic' && !/no-store/i.test(r.headers.get('Cache-Control') || '');
}
function store(cache, key, r) {
  if (keepable(r)) return cache.put(key, r);
  if (r && (r.status === 403 || r.status === 404 || r.status === 410)) return cache.delete(key);
}
function fetchInto(name, url) {
  return caches.open(name).then(function (c) {
    return fetch(url, { credentials: 'same-origin' }).then(function (r) { return store(c, url, r); });
  }).catch(function () {});
}

self.addEventListener('install', function (e) {
  e.waitUntil(caches.keys().then(function (names) {
    // Forms kept by an older worker are fetched anew (the install happens online), so a
    // blank spot keeps its forms across an update, in the new markup.
    var older = names.filter(function (n) { return n !== FORMS && (n.indexOf('etam-forms-') === 0 || n === 'etam-pages'); });
    return Promise.all(older.map(function (n) {
      return caches.open(n).then(function (c) { return c.keys(); }).then(function (reqs) {
        return reqs.map(function (r) { return new URL(r.url).pathname; }).filter(function (p) { return cacheFor(p) === FORMS; });
      });
    }));
  }).then(function (lists) {
    var carried = [].concat.apply([], lists);
    var pages = PRECACHE.concat(['/layanan/']).filter(function (u) { return u.indexOf('/static/') !== 0; });
    return Promise.all([
      caches.open(STATIC).then(function (c) { return c.addAll(PRECACHE.filter(function (u) { return u.indexOf('/static/') === 0; })); })
    ].concat(pages.concat(carried).filter(function (u, i, all) { return all.indexOf(u) === i && cacheFor(u); }).map(function (u) {
      return fetchInto(cacheFor(u), self.location.origin + u);
    })));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener('activate', function (e) {
  e.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return [STATIC, PAGES, FORMS].indexOf(n) < 0; }).map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }).then(function () { return self.EtamOutbox.sync().catch(function () {}); }));
});

// Sign-out or a language switch: the pages kept as the person saw them go; blank forms, scripts and the
// outbox (IndexedDB: submissions in transit) stay.
function forget() {
  return caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return n.indexOf('etam-pages') === 0; }).map(function (n) { return caches.delete(n); }));
  });
}

function refresh(cache, request, key) {
  return fetch(request).then(function (r) {
    store(cache, key, r.clone());
    return r;
  });
}

// The language the person chose (Django's language cookie), where the browser lets a worker
// read cookies (Cookie Store API); null elsewhere or when none was chosen.
function chosenLanguage() {
  if (!self.cookieStore) return Promise.resolve(null);
  return self.cookieStore.get(LANGUAGE_COOKIE).then(function (c) { return c ? c.value : null; }, function () { return null; });
}

function page(event, url, name) {
  var key = url.origin + url.pathname;
  return Promise.all([caches.open(name), chosenLanguage()]).then(function (opened) {
    var cache = opened[0], language = opened[1];
    return cache.match(key).then(function (hit) {
      var net = refresh(cache, event.request, key);
      if (hit && language && (hit.headers.get('Content-Language') || language) !== language) {
        // Kept in another language than the one now chosen: the network first, the kept page
        // only without a signal.
        return net.catch(function () { return hit; });
      }
      var m = url.pathname.match(/^\/layanan\/([a-z0-9-]+)\/$/);
      if (m && event.request.mode === 'navigate') {
        // A service the person opened: keep its one-page form for offline use.
        event.waitUntil(fetchInto(FORMS, url.origin + '/luring/layanan/' + m[1] + '/'));
      }
      if (hit) {
        event.waitUntil(net.catch(function () {}));
        return hit;
      }
      return net.catch(function () { return offline(); });
    });
  });
}

function offline() {
  return caches.open(FORMS).then(function (c) { return c.match(self.location.origin + '/kotak-keluar/'); }).then(function (r) {
    return r || new Response('<!doctype html><meta charset="utf-8"><title>Tanpa sinyal</title><p>Tidak ada sinyal dan halaman ini belum tersimpan di perangkat. <a href="/kotak-keluar/">Kotak keluar</a></p>',
      { status: 503, headers: { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' } });
  });
}

self.addEventListener('fetch', function (event) {
  var request = event.request, url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === 'POST' && (url.pathname === SIGN_OUT || url.pathname === SET_LANGUAGE)) {
    event.respondWith(forget().catch(function () {}).then(function () { return fetch(request); }));
    return;
  }
  if (request.method !== 'GET') return;
  if (url.pathname.indexOf('/static/') === 0) {
    event.respondWith(caches.open(STATIC).then(function (c) {
      return c.match(request).then(function (hit) { return hit || refresh(c, request, request); });
    }));
    return;
  }
  var name = url.search ? null : cacheFor(url.pathname);
  if (name) {
    event.respondWith(page(event, url, name));
    return;
  }
  if (request.mode === 'navigate') {
    event.respondWith(fetch(request).catch(function () { return offline(); }));
  }
});

self.addEventListener('sync', function (e) {
  if (e.tag === 'etam-outbox') e.waitUntil(self.EtamOutbox.sync().then(function (n) { if (n < 0) throw new Error('offline'); }));
});
self.addEventListener('message', function (e) {
  if (e.data === 'sync') e.waitUntil(self.EtamOutbox.sync().catch(function () {}));
  if (e.data && e.data.forget) {
    e.waitUntil(forget().then(function () { if (e.source) e.source.postMessage({ forgotten: true }); }).catch(function () {}));
  }
  // A page loaded before this worker controlled it asks to be kept for offline use.
  if (e.data && e.data.keep && cacheFor(e.data.keep)) {
    var url = self.location.origin + e.data.keep;
    e.waitUntil(caches.open(cacheFor(e.data.keep)).then(function (c) {
      return c.match(url).then(function (hit) { if (!hit) return fetchInto(cacheFor(e.data.keep), url); });
    }).catch(function () {}));
  }
});
// Service-worker start: send what is waiting (browsers without Background Sync).
self.EtamOutbox.sync().catch(function () {});
