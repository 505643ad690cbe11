/* gisplan field capture: the service worker (served from /field/sw.js, scope /field/).
 * The page and the LAO's data (/field/data.json) are fetched from the network first and kept for
 * when there is no signal; the page's scripts and styles come from the cache. Nothing else (the
 * API, POSTs) is touched: the page queues what it cannot send (queue.js) and sends it later.
 */
"use strict";
var CACHE = "gisplan-field-v1";
var ASSETS = /*ASSETS*/[];

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      return cache.addAll(ASSETS).then(function () {
        return fetch("/field/", { credentials: "same-origin" }).then(function (response) {
          if (response.ok && !response.redirected) return cache.put("/field/", response);
        }).catch(function () { /* offline at install: the page is cached on its next visit */ });
      });
    }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (k) { return k !== CACHE; }).map(function (k) { return caches.delete(k); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function networkFirst(request, cacheKey) {
  return caches.open(CACHE).then(function (cache) {
    return fetch(request).then(function (response) {
      if (response.ok && !response.redirected) cache.put(cacheKey, response.clone());
      return response;
    }).catch(function () {
      return cache.match(cacheKey, { ignoreSearch: true }).then(function (hit) {
        return hit || new Response("offline", { status: 503, headers: { "Content-Type": "text/plain" } });
      });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname === "/field/" ) {
    event.respondWith(networkFirst(request, "/field/"));
  } else if (url.pathname === "/field/data.json") {
    event.respondWith(networkFirst(request, "/field/data.json" + url.search));
  } else if (ASSETS.indexOf(url.pathname) >= 0) {
    event.respondWith(caches.match(url.pathname).then(function (hit) { return hit || fetch(request); }));
  }
});
