/* Settings > Reminders: allow (or stop) notifications on this device. The browser makes a
   push subscription with the installation's VAPID public key; the server keeps it per device
   and sends reminders to it (encrypted, RFC 8291). The service worker (sw.js) shows them. */
(function () {
  "use strict";
  var btn = document.getElementById("push-allow");
  var status = document.getElementById("push-status");
  if (!btn || !status) return;
  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
    status.textContent = "This browser cannot show notifications from Triplane (on iPhone: add it to the Home Screen first).";
    return;
  }
  function csrf() {
    var m = document.querySelector('meta[name="csrf-token"]');
    return m ? m.getAttribute("content") : "";
  }
  function bytes(b64) {
    var s = (b64 + "===".slice((b64.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(s), out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }
  function post(url, data) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "X-CSRF-Token": csrf() },
      body: new URLSearchParams(data)
    }).then(function (r) {
      if (!r.ok) throw new Error("the server answered " + r.status);
      return r;
    });
  }
  function fail(e) { status.textContent = "Notifications are not on: " + (e && e.message ? e.message : e); }
  navigator.serviceWorker.ready.then(function (reg) {
    return reg.pushManager.getSubscription().then(function (sub) {
      btn.hidden = false;
      if (sub) btn.textContent = "Stop notifications on this device";
      btn.addEventListener("click", function () {
        if (sub) {
          var endpoint = sub.endpoint;
          sub.unsubscribe().then(function () { return post("/settings/push/unsubscribe", { endpoint: endpoint }); })
            .then(function () { location.href = "/settings?reminders=saved#reminders"; }, fail);
          return;
        }
        fetch("/settings/push/key", { credentials: "same-origin" }).then(function (r) { return r.json(); })
          .then(function (d) {
            return reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: bytes(d.key) });
          })
          .then(function (s) {
            var j = s.toJSON();
            return post("/settings/push/subscribe", { endpoint: j.endpoint, p256dh: j.keys.p256dh, auth: j.keys.auth });
          })
          .then(function () { location.href = "/settings?reminders=saved#reminders"; }, fail);
      });
    });
  }).catch(fail);
})();
