/* Triplane front end: guided timer, offline log queue, service worker. No inline script (CSP). */
(function () {
  "use strict";
  var QUEUE_KEY = "triplane.queue.v1";

  function csrf() {
    var m = document.querySelector('meta[name="csrf-token"]');
    return m ? m.content : "";
  }
  function athleteId() { return document.body.dataset.athlete || ""; }

  // ---- offline queue: logs wait here until the server has them (client_id makes it once) ----
  function loadQueue() {
    try { return JSON.parse(localStorage.getItem(QUEUE_KEY) || "[]"); } catch (e) { return []; }
  }
  function saveQueue(q) { localStorage.setItem(QUEUE_KEY, JSON.stringify(q)); }
  function enqueue(item) {
    var q = loadQueue();
    if (!q.some(function (x) { return x.body.client_id === item.body.client_id; })) q.push(item);
    saveQueue(q);
  }
  function postLog(item) {
    return fetch("/api/v1/athletes/" + item.athlete + "/logs", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
      body: JSON.stringify(item.body)
    });
  }
  var flushing = false;
  function flush() {
    if (flushing || !navigator.onLine) return Promise.resolve();
    var q = loadQueue();
    if (!q.length) return Promise.resolve();
    flushing = true;
    var rest = [];
    return q.reduce(function (p, item) {
      return p.then(function () {
        return postLog(item).then(function (r) {
          if (r.status >= 500 || r.status === 401) rest.push(item); // retry later
        }, function () { rest.push(item); });
      });
    }, Promise.resolve()).then(function () {
      // keep anything queued meanwhile
      var now = loadQueue().filter(function (x) {
        return !q.some(function (y) { return y.body.client_id === x.body.client_id; });
      });
      saveQueue(rest.concat(now));
      flushing = false;
      document.dispatchEvent(new CustomEvent("triplane:flushed", { detail: { left: rest.length } }));
    });
  }
  window.triplaneQueue = { load: loadQueue, flush: flush };

  function logDrill(body) {
    var item = { athlete: athleteId(), body: body };
    if (!navigator.onLine) { enqueue(item); return Promise.resolve("queued"); }
    return postLog(item).then(function (r) {
      if (r.ok) return "logged";
      if (r.status >= 500) { enqueue(item); return "queued"; }
      return r.json().then(function (j) { throw new Error(j.detail || "could not log"); });
    }, function () { enqueue(item); return "queued"; });
  }

  function offlineNote() {
    var n = document.getElementById("offline-note");
    if (n) n.hidden = navigator.onLine;
  }
  window.addEventListener("online", function () { offlineNote(); flush(); });
  window.addEventListener("offline", offlineNote);

  // Today's one-tap forms: when the request can't be sent, keep it on the phone.
  var lastSubmit = null;
  document.addEventListener("click", function (e) {
    var b = e.target.closest && e.target.closest("form[data-offline-log] button[type=submit]");
    if (b) lastSubmit = { form: b.form, name: b.name, value: b.value };
  });
  function queueForm(form) {
    var fd = new FormData(form);
    var body = {
      drill: fd.get("drill"), date: fd.get("date") || null,
      minutes: fd.get("minutes") ? parseFloat(fd.get("minutes")) : null,
      client_id: fd.get("client_id")
    };
    if (lastSubmit && lastSubmit.form === form) {
      if (lastSubmit.name === "skipped") body.skipped = true;
      if (lastSubmit.name === "discomfort") body.discomfort = parseInt(lastSubmit.value, 10);
    }
    enqueue({ athlete: athleteId(), body: body });
    var li = form.closest("li");
    form.remove();
    if (li) {
      var p = document.createElement("p");
      p.className = "state"; p.setAttribute("role", "status");
      p.textContent = "Saved on this phone: it will be sent when you are back online.";
      li.appendChild(p);
      li.classList.add("done");
    }
  }
  document.addEventListener("htmx:sendError", function (e) {
    var form = e.detail.elt && e.detail.elt.closest("form[data-offline-log]");
    if (form) queueForm(form);
  });
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (form.matches("form[data-offline-log]") && !navigator.onLine) {
      e.preventDefault();
      e.stopImmediatePropagation();
      if (e.submitter) lastSubmit = { form: form, name: e.submitter.name, value: e.submitter.value };
      queueForm(form);
    }
  }, true);

  // A one-tap log the server refused: say so where the tap was.
  document.addEventListener("htmx:responseError", function (e) {
    var form = e.detail.elt && e.detail.elt.closest("form");
    if (!form) return;
    var old = form.querySelector(".form-error");
    if (old) old.remove();
    var p = document.createElement("p");
    p.className = "form-error"; p.setAttribute("role", "alert");
    var status = e.detail.xhr ? e.detail.xhr.status : 0;
    p.textContent = status === 403 ? "This page has expired: reload it and tap again."
      : "That was not logged (" + status + "): reload the page and try again.";
    form.appendChild(p);
  });

  // Logging out on a shared phone: forget the pages kept for offline use.
  document.addEventListener("submit", function (e) {
    if (e.target.matches && e.target.matches('form[action="/logout"]') && window.caches) {
      caches.delete("triplane-pages-v1");
    }
  });

  // ---- the guided timer -----------------------------------------------------------------------
  var audio = null;
  function beep(freq, ms) {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      var o = audio.createOscillator(), g = audio.createGain();
      o.frequency.value = freq || 880;
      g.gain.setValueAtTime(0.2, audio.currentTime);
      g.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + (ms || 180) / 1000);
      o.connect(g); g.connect(audio.destination);
      o.start(); o.stop(audio.currentTime + (ms || 180) / 1000);
    } catch (e) { /* no sound: the display still changes */ }
    document.dispatchEvent(new CustomEvent("triplane:beep"));
  }

  function phases(cfg) {
    // the server sends the dose's phases (core/dose.py): the timer runs exactly that dose
    return cfg.phases || [];
  }

  function setupTimer(el) {
    var cfg = JSON.parse(el.dataset.timer);
    var params = new URLSearchParams(location.search);
    var speed = Math.min(Math.max(parseFloat(params.get("speed") || "1") || 1, 1), 200);
    var phaseEl = document.getElementById("timer-phase");
    var countEl = document.getElementById("timer-count");
    var detailEl = document.getElementById("timer-detail");
    var start = document.getElementById("timer-start");
    var stop = document.getElementById("timer-stop");
    var finish = document.getElementById("timer-finish");
    var result = document.getElementById("timer-result");
    var wakeNote = document.getElementById("timer-wake");
    var list = [], i = 0, ends = 0, tick = null, lock = null;

    function wake() {
      if (!("wakeLock" in navigator)) { wakeNote.textContent = "Keep the screen on yourself: this browser can't."; return; }
      navigator.wakeLock.request("screen").then(function (l) {
        lock = l; wakeNote.textContent = "The screen stays on during the timer.";
      }, function () { wakeNote.textContent = "Keep the screen on yourself: the browser said no."; });
    }
    document.addEventListener("visibilitychange", function () {
      if (tick && document.visibilityState === "visible") wake();
    });
    function release() { if (lock) { lock.release(); lock = null; } }

    function show(p, left) {
      phaseEl.textContent = p.label;
      countEl.textContent = Math.ceil(left);
      detailEl.textContent = p.detail;
    }
    function enter(n) {
      i = n;
      if (i >= list.length) return done();
      ends = performance.now() + list[i].secs * 1000 / speed;
      if (!list[i].quiet) beep(i === 0 ? 660 : 880);
      show(list[i], list[i].secs);
    }
    function step() {
      var left = (ends - performance.now()) * speed / 1000;
      if (left <= 0) return enter(i + 1);
      show(list[i], left);
    }
    function done() {
      clearInterval(tick); tick = null; release();
      beep(1046, 400);
      phaseEl.textContent = "Done"; countEl.textContent = "✓"; detailEl.textContent = "";
      start.hidden = false; start.textContent = "Again"; stop.hidden = true;
      finish.hidden = false;
      el.dataset.state = "finished";
      var first = finish.querySelector("button"); if (first) first.focus();
    }
    start.addEventListener("click", function () {
      list = phases(cfg);
      finish.hidden = true; result.textContent = "";
      start.hidden = true; stop.hidden = false;
      el.dataset.state = "running";
      wake();
      enter(0);
      tick = setInterval(step, 100);
    });
    stop.addEventListener("click", function () {
      clearInterval(tick); tick = null; release();
      phaseEl.textContent = "Stopped"; countEl.textContent = "–";
      start.hidden = false; start.textContent = "Start again"; stop.hidden = true;
      el.dataset.state = "stopped";
    });
    finish.addEventListener("click", function (e) {
      var b = e.target.closest("button[data-discomfort]");
      if (!b) return;
      if (!athleteId()) { result.textContent = "Coaches can't log snacks."; return; }
      var body = {
        drill: cfg.drill, date: cfg.date, minutes: cfg.minutes,
        discomfort: parseInt(b.dataset.discomfort, 10), client_id: cfg.clientId
      };
      logDrill(body).then(function (how) {
        finish.hidden = true;
        result.textContent = how === "logged"
          ? "Logged ✓ Well done." + (body.discomfort > 5 ? " That hurt more than a drill should: next time it is swapped for an easier one." : "")
          : "Saved on this phone: it will be sent when you are back online.";
        el.dataset.state = how;
      }, function (err) { result.textContent = err.message; });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    offlineNote();
    var tz = document.getElementById("tz");
    if (tz) { try { tz.value = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) {} }
    var t = document.getElementById("timer");
    if (t) setupTimer(t);
    // Keep Today's drill pages for offline use.
    if (window.caches && document.getElementById("snacks")) {
      var links = Array.prototype.map.call(document.querySelectorAll(".snack-name"), function (a) { return a.getAttribute("href"); });
      links = links.concat(links.map(function (u) { return u.split("?")[0] + "/figure.svg"; }));  // and their figures
      caches.open("triplane-pages-v1").then(function (c) {
        links.forEach(function (u) { fetch(u, { credentials: "same-origin" }).then(function (r) { if (r.ok) c.put(u, r); }, function () {}); });
      });
    }
    flush();
  });
  if ("serviceWorker" in navigator) {
    window.addEventListener("load", function () { navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {}); });
  }
})();
