/* Triplane service worker: static assets cache-first (their names carry a hash: the server
   rewrites the addresses below when it serves this file); Today and drill pages (with their
   figures) network-first with the last good copy offline; everything else falls back to /offline. */
var STATIC = "triplane-static-v1";
var PAGES = "triplane-pages-v1";
var ASSETS = ["/static/vendor/pico.min.css", "/static/vendor/htmx.min.js", "/static/app.css",
  "/static/app.js", "/static/icons/icon.svg", "/static/icons/icon-192.png", "/offline"];

self.addEventListener("install", function (e) {
  e.waitUntil(caches.open(STATIC).then(function (c) { return c.addAll(ASSETS); }).then(function () { return self.skipWaiting(); }));
});
self.addEventListener("activate", function (e) {
  e.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k !== STATIC && k !== PAGES; }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

function offlinePage(url) {
  return url.pathname === "/today" || url.pathname === "/today/routine" || url.pathname.indexOf("/drills/") === 0 ||
    url.pathname === "/assess/inclinometer";
}

function figuresOf(url) {  // the still <img>, and the timer's left and right (mirrored) figures
  var m = /^\/drills\/([A-Za-z0-9_-]+)$/.exec(url.pathname);
  if (!m) return [];
  var base = "/drills/" + m[1] + "/figure.svg";
  return [base, base + "?side=left", base + "?side=right"];
}

self.addEventListener("fetch", function (e) {
  var req = e.request;
  if (req.method !== "GET") return;
  var url = new URL(req.url);
  if (url.origin !== self.location.origin || url.pathname.indexOf("/api/") === 0) return;
  if (url.pathname.indexOf("/static/") === 0) {
    e.respondWith(caches.match(req).then(function (hit) {
      return hit || fetch(req).then(function (r) {
        var copy = r.clone();
        caches.open(STATIC).then(function (c) { c.put(req, copy); });
        return r;
      });
    }));
    return;
  }
  if (req.mode === "navigate" || offlinePage(url)) {
    e.respondWith(fetch(req).then(function (r) {
      if (r.ok && offlinePage(url) && !r.redirected) {
        var copy = r.clone();
        caches.open(PAGES).then(function (c) {
          c.put(url.pathname + url.search, copy);
          figuresOf(url).forEach(function (fig) {  // a drill page's figures go with it
            c.match(fig).then(function (hit) {
              if (!hit) fetch(fig, { credentials: "same-origin" }).then(function (f) { if (f.ok) c.put(fig, f); }, function () {});
            });
          });
        });
      }
      return r;
    }, function () {
      return caches.open(PAGES).then(function (c) {
        return c.match(url.pathname + url.search).then(function (hit) {
          return hit || c.match(url.pathname, { ignoreSearch: true });
        });
      }).then(function (hit) { return hit || caches.match("/offline"); });
    }));
  }
});

/* Reminders (Web Push): show the message; a tap opens the snack's timer (or Today). */
self.addEventListener("push", function (e) {
  var d = {};
  try { d = e.data ? e.data.json() : {}; } catch (err) { d = { body: e.data ? e.data.text() : "" }; }
  e.waitUntil(self.registration.showNotification(d.title || "Triplane", {
    body: d.body || "", tag: d.tag || "triplane", icon: "/static/icons/icon-192.png",
    data: { url: d.url || "/today" }
  }));
});
self.addEventListener("notificationclick", function (e) {
  e.notification.close();
  var target = new URL((e.notification.data && e.notification.data.url) || "/today", self.location.origin);
  if (target.origin !== self.location.origin) target = new URL("/today", self.location.origin);
  e.waitUntil(self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (list) {
    for (var i = 0; i < list.length; i++) {
      if (list[i].url === target.href && "focus" in list[i]) return list[i].focus();
    }
    if (list.length && "navigate" in list[0]) {
      return list[0].navigate(target.href).then(function (c) { return c ? c.focus() : self.clients.openWindow(target.href); });
    }
    return self.clients.openWindow(target.href);
  }));
});
