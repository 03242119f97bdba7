// Comptoir service worker (VERSION and SHELL are prepended by the server, /sw.js).
// App shell: cache first, versioned. Pages: network first, the last copy when offline.
// Nothing that changes data is ever cached or replayed: only GET navigations.
"use strict";

const SHELL_CACHE = "comptoir-shell-" + VERSION;
const PAGES_CACHE = "comptoir-pages";
const OFFLINE_URL = "/hors-ligne";
const NOT_KEPT = ["/connexion", "/deconnexion", "/entreprise", "/app/api/"];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(SHELL_CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys().then((keys) =>
      Promise.all(
        keys
          .filter((k) => k.startsWith("comptoir-shell-") && k !== SHELL_CACHE)
          .map((k) => caches.delete(k))
      )
    ).then(() => self.clients.claim())
  );
});

self.addEventListener("message", (event) => {
  if (event.data === "forget-pages") {
    event.waitUntil(caches.delete(PAGES_CACHE));
  }
});

function keptPage(url) {
  return url.origin === self.location.origin && !NOT_KEPT.some((p) => url.pathname.startsWith(p));
}

// A page read from the cache says so (the browser may still believe it is online on a
// link that drops): app.js then shows « Hors ligne — données du … » and disables actions.
async function fromCache(cached) {
  const html = (await cached.text()).replace("<body ", '<body data-from-cache="1" ');
  return new Response(html, { status: 200, headers: cached.headers });
}

async function networkFirst(request) {
  const url = new URL(request.url);
  try {
    const response = await fetch(request);
    if (response.ok && response.type === "basic" && keptPage(url) && !response.redirected) {
      const cache = await caches.open(PAGES_CACHE);
      await cache.put(request, response.clone());
    }
    return response;
  } catch (error) {
    const cached = await caches.match(request, { ignoreVary: true });
    if (cached) {
      return fromCache(cached);
    }
    return (await caches.match(OFFLINE_URL)) || Response.error();
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") {
    return;
  }
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith(networkFirst(request));
    return;
  }
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request)));
  }
});
