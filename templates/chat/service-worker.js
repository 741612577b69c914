/* Service worker of the operator console (chat/console/pwa.py, chat/views/pwa.py).
 *
 * - Precaches the console's shell: its CSS and JS, the icons and the offline page.
 * - Pages are always asked from the network; when that fails, the offline page is shown.
 * - Nothing else is ever stored: no page or API answer of a logged-in operator stays in
 *   a cache after logout.
 * - The cache name carries the shell's version; activating a new worker drops old caches. */
"use strict";

var CONFIG = {{ config|safe }};
var PREFIX = "console-shell-";
var SHELL = new Set(CONFIG.shell);

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CONFIG.cache)
      .then(function (cache) {
        return cache.addAll(CONFIG.shell.map(function (url) {
          return new Request(url, { cache: "reload", credentials: "omit" });
        }));
      })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys()
      .then(function (names) {
        return Promise.all(names.filter(function (name) {
          return name.indexOf(PREFIX) === 0 && name !== CONFIG.cache;
        }).map(function (name) { return caches.delete(name); }));
      })
      .then(function () { return self.clients.claim(); })
  );
});

function offlinePage() {
  return caches.open(CONFIG.cache).then(function (cache) {
    return cache.match(CONFIG.offline);
  }).then(function (page) {
    return page || Response.error();
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(offlinePage));
    return;
  }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin || !SHELL.has(url.pathname)) return;
  event.respondWith(
    caches.open(CONFIG.cache).then(function (cache) {
      return cache.match(url.pathname);
    }).then(function (hit) {
      return hit || fetch(request);
    })
  );
});

/* Web Push (push/, docs/operations.md "Alerts and Web Push"): the server sends JSON
 * {title, body, url, tag} when the console is closed; a click focuses an open console
 * window (and shows the dialog there) or opens the dialog's page. */
self.addEventListener("push", function (event) {
  var data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (e) {
    data = { body: event.data ? event.data.text() : "" };
  }
  event.waitUntil(self.registration.showNotification(data.title || "", {
    body: data.body || "",
    tag: data.tag || undefined,
    renotify: Boolean(data.tag),
    icon: CONFIG.icon || undefined,
    data: { url: data.url || CONFIG.console },
  }));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var target = new URL((event.notification.data && event.notification.data.url) || CONFIG.console, self.location.origin);
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (windows) {
      var same = windows.filter(function (client) { return client.url === target.href; })[0];
      var any = same || windows.filter(function (client) {
        return new URL(client.url).pathname.indexOf(CONFIG.console) === 0;
      })[0];
      if (any) {
        return (same ? any.focus() : any.focus().then(function (client) {
          return client.navigate ? client.navigate(target.href) : client;
        }));
      }
      return self.clients.openWindow(target.href);
    })
  );
});
