/* Etam service worker (docs/adr/0060), served at /sw.js with scope "/".
   Pages: the shell, the catalogue, service pages and the one-page forms a person opened
   are answered from the cache at once and refreshed in the background, so a repeat visit
   needs no network. The outbox code is shared with the pages (outbox.js). */
'use strict';
importScripts('__CORE__');
var VERSION = '__VERSION__';
var STATIC = 'etam-static-' + VERSION;
var PAGES = 'etam-pages'; // not versioned: forms cached for offline use survive updates
var PRECACHE = __PRECACHE__;
var PAGE_RE = [/^\/$/, /^\/layanan\/$/, /^\/layanan\/[a-z0-9-]+\/$/, /^\/luring\//, /^\/kotak-keluar\/$/,
  /^\/staf\/petugas\/$/, /^\/staf\/petugas\/layanan\/[a-z0-9-]+\/$/, /^\/layanan\/wilayah\//, /^\/manifest\.webmanifest$/];

self.addEventListener('install', function (e) {
  e.waitUntil(Promise.all([
    caches.open(STATIC).then(function (c) { return c.addAll(PRECACHE.filter(function (u) { return u.indexOf('/static/') === 0; })); }),
    caches.open(PAGES).then(function (c) {
      return Promise.all(PRECACHE.concat(['/layanan/']).filter(function (u) { return u.indexOf('/static/') !== 0; })
        .map(function (u) { return fetch(u, { credentials: 'same-origin' }).then(function (r) { if (good(r)) return c.put(u, r); }).catch(function () {}); }));
    })
  ]).then(function () { return self.skipWaiting(); }));
});

self.addEventListener('activate', function (e) {
  e.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k.indexOf('etam-static-') === 0 && k !== STATIC; }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }).then(function () { return self.EtamOutbox.sync().catch(function () {}); }));
});

function good(r) { return r && r.ok && !r.redirected && r.type === 'basic'; }

function refresh(cache, request, key) {
  return fetch(request).then(function (r) {
    if (good(r)) cache.put(key, r.clone());
    return r;
  });
}

function page(event, url) {
  var key = url.origin + url.pathname;
  return caches.open(PAGES).then(function (cache) {
    return cache.match(key).then(function (hit) {
      var net = refresh(cache, event.request, key);
      var m = url.pathname.match(/^\/layanan\/([a-z0-9-]+)\/$/);
      if (m && event.request.mode === 'navigate') {
        // A service the person opened: keep its one-page form for offline use.
        event.waitUntil(fetch('/luring/layanan/' + m[1] + '/', { credentials: 'same-origin' }).then(function (r) {
          if (good(r)) return cache.put(url.origin + '/luring/layanan/' + m[1] + '/', r);
        }).catch(function () {}));
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
  return caches.open(PAGES).then(function (c) { return c.match(self.location.origin + '/kotak-keluar/'); }).then(function (r) {
    return r || new Response('<!doctype html><meta charset="utf-8"><title>Tanpa sinyal</title><p>Tidak ada sinyal dan halaman ini belum tersimpan di perangkat. <a href="/kotak-keluar/">Kotak keluar</a></p>',
      { status: 503, headers: { 'Content-Type': 'text/html; charset=utf-8' } });
  });
}

self.addEventListener('fetch', function (event) {
  var request = event.request, url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (url.pathname.indexOf('/static/') === 0) {
    event.respondWith(caches.open(STATIC).then(function (c) {
      return c.match(request).then(function (hit) { return hit || refresh(c, request, request); });
    }));
    return;
  }
  if (!url.search && PAGE_RE.some(function (re) { return re.test(url.pathname); })) {
    event.respondWith(page(event, url));
    return;
  }
  if (request.mode === 'navigate') {
    event.respondWith(fetch(request).catch(function () {
      return caches.match(request).then(function (r) { return r || offline(); });
    }));
  }
});

self.addEventListener('sync', function (e) {
  if (e.tag === 'etam-outbox') e.waitUntil(self.EtamOutbox.sync().then(function (n) { if (n < 0) throw new Error('offline'); }));
});
self.addEventListener('message', function (e) {
  if (e.data === 'sync') e.waitUntil(self.EtamOutbox.sync().catch(function () {}));
  // A page loaded before this worker controlled it asks to be kept for offline use.
  if (e.data && e.data.keep && PAGE_RE.some(function (re) { return re.test(e.data.keep); })) {
    var url = self.location.origin + e.data.keep;
    e.waitUntil(caches.open(PAGES).then(function (c) {
      return c.match(url).then(function (hit) {
        if (!hit) return fetch(url, { credentials: 'same-origin' }).then(function (r) { if (good(r)) return c.put(url, r); });
      });
    }).catch(function () {}));
  }
});
// Service-worker start: send what is waiting (browsers without Background Sync).
self.EtamOutbox.sync().catch(function () {});
