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

  // ---- Today: one tap per snack ---------------------------------------------------------------
  // A log that can't be sent stays on the phone (the queue) and its card shows done, folded.
  var SAVED = "Saved on this phone: it will be sent when you are back online.";
  function foldQueued(li, body) {
    var form = li.querySelector("form.snack-log");
    if (form) form.remove();
    var meta = li.querySelectorAll(".snack-meta, .snack-note");
    Array.prototype.forEach.call(meta, function (m) { m.remove(); });
    var p = document.createElement("p");
    p.className = "state"; p.setAttribute("role", "status");
    p.textContent = (body.skipped ? "Skipped. " : "Done. ") + SAVED;
    li.appendChild(p);
    li.classList.remove("next");
    li.removeAttribute("aria-current");
    var badge = li.querySelector(".badge"); if (badge) badge.remove();
    li.classList.add(body.skipped ? "skipped" : "done", "folded", "queued");
    li.dataset.state = body.skipped ? "skipped" : "done";
  }
  // The summary line, counted from the cards (the server writes the same words: pages.today_summary).
  function recount() {
    var cards = Array.prototype.slice.call(document.querySelectorAll("#snacks li.snack"));
    var summary = document.querySelector("#today-summary strong");
    if (!cards.length || !summary) return;
    var done = cards.filter(function (c) { return c.dataset.state === "done"; });
    var skipped = cards.filter(function (c) { return c.dataset.state === "skipped"; }).length;
    function mins(list) { return list.reduce(function (n, c) { return n + parseFloat(c.dataset.minutes || "0"); }, 0); }
    summary.textContent = done.length + " of " + cards.length + " done, " + mins(done) + " of " + mins(cards) + " min" +
      (skipped ? ", " + skipped + " skipped" : "");
    if (!document.querySelector("#snacks li.snack.next")) {
      var todo = cards.filter(function (c) { return c.dataset.state === "todo"; })[0];
      if (todo) {
        todo.classList.add("next"); todo.setAttribute("aria-current", "step");
        var head = todo.querySelector(".snack-head");
        if (head && !head.querySelector(".badge")) {
          var b = document.createElement("span"); b.className = "badge"; b.textContent = "next"; head.appendChild(b);
        }
      }
    }
  }
  // Logs waiting in the queue show as done on Today (also when Today itself comes from the cache).
  function showQueued() {
    var q = loadQueue();
    if (!q.length) return;
    q.forEach(function (item) {
      var li = document.querySelector('#snacks li.snack[data-client-id="' + String(item.body.client_id).replace(/["\\]/g, "") + '"]');
      if (li && li.dataset.state === "todo") foldQueued(li, item.body);
    });
    recount();
  }
  function queueForm(form, submitter) {
    var fd = submitter ? new FormData(form, submitter) : new FormData(form);
    var body = {
      drill: fd.get("drill"), date: fd.get("date") || null,
      minutes: fd.get("minutes") ? parseFloat(fd.get("minutes")) : null,
      client_id: fd.get("client_id")
    };
    if (fd.get("skipped") === "1") body.skipped = true;
    else if (fd.get("discomfort") !== null) body.discomfort = parseInt(fd.get("discomfort"), 10);
    enqueue({ athlete: athleteId(), body: body });
    var li = form.closest("li");
    if (li) { foldQueued(li, body); recount(); goNext(); }
  }
  var lastSubmitter = null;
  document.addEventListener("click", function (e) {
    var b = e.target.closest && e.target.closest("form[data-offline-log] button[type=submit]");
    if (b) lastSubmitter = b;
  });
  document.addEventListener("htmx:sendError", function (e) {
    var form = e.detail.elt && e.detail.elt.closest("form[data-offline-log]");
    if (form) queueForm(form, lastSubmitter && lastSubmitter.form === form ? lastSubmitter : null);
  });
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (form.matches("form[data-offline-log]") && !navigator.onLine) {
      e.preventDefault();
      e.stopImmediatePropagation();
      queueForm(form, e.submitter || lastSubmitter);
    }
  }, true);
  // After a log: the list comes back with the next snack marked; go there (and keep the focus
  // moving for keyboard users).
  function goNext() {
    var next = document.querySelector("#snacks li.snack.next");
    var target = next || document.getElementById("today-summary");
    if (!target) return;
    var still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    target.scrollIntoView({ block: "start", behavior: still ? "auto" : "smooth" });
    var focus = next ? next.querySelector(".start-btn") : target;
    if (focus) { if (!next) target.tabIndex = -1; focus.focus({ preventScroll: true }); }
  }
  document.addEventListener("htmx:afterSwap", function (e) {
    if (e.detail.target && e.detail.target.id === "today-snacks") { showQueued(); goNext(); }
  });
  // "Done" opens the discomfort step: its first choice gets the focus.
  document.addEventListener("toggle", function (e) {
    var d = e.target;
    if (d.matches && d.matches("details.done-step") && d.open) {
      var first = d.querySelector("input[type=radio]"); if (first) first.focus();
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

  // ---- sound: countdown beeps (WebAudio) and spoken cues (speechSynthesis); both work offline,
  // and the choice is kept on this device (localStorage), not in the athlete's settings ----------
  var SOUND_KEY = "triplane.sound.v1";
  function soundPrefs() {
    var p = null;
    try { p = JSON.parse(localStorage.getItem(SOUND_KEY) || "null"); } catch (e) { p = null; }
    return { speak: !!(p && p.speak), beeps: !p || p.beeps !== false };
  }
  var sound = soundPrefs();
  var audio = null;
  function beep(freq, ms) {
    if (!sound.beeps) return;
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      var o = audio.createOscillator(), g = audio.createGain();
      o.frequency.value = freq || 880;
      g.gain.setValueAtTime(0.2, audio.currentTime);
      g.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + (ms || 180) / 1000);
      o.connect(g); g.connect(audio.destination);
      o.start(); o.stop(audio.currentTime + (ms || 180) / 1000);
    } catch (e) { /* no sound: the display still changes */ }
    document.dispatchEvent(new CustomEvent("triplane:beep", { detail: { freq: freq || 880 } }));
  }
  function speak(text) {
    if (!sound.speak || !text) return;
    document.dispatchEvent(new CustomEvent("triplane:speak", { detail: { text: text } }));
    if (!window.speechSynthesis || !window.SpeechSynthesisUtterance) return;
    try { speechSynthesis.cancel(); speechSynthesis.speak(new SpeechSynthesisUtterance(text)); } catch (e) { /* silent */ }
  }

  // ---- the figure: the drill's SVG put in the page, its SMIL clock set from the timer ----------
  // (an <img> can't be driven; the page's CSP allows exactly the figure's one <style>)
  function FigureBox(box) {
    this.box = box; this.views = {}; this.fig = null; this.side = "";
  }
  FigureBox.prototype.load = function (item) {
    var self = this;
    this.fig = item.figure; this.views = {}; this.side = "";
    if (!this.fig) { this.box.hidden = true; return; }
    this.box.hidden = false;
    var sides = this.fig.sided ? ["left", "right"] : ["left"];
    var img = this.box.querySelector("img");
    if (img) { img.src = this.fig.left; img.alt = "Animated figure of " + item.name; }
    var wanted = item.drill;
    sides.forEach(function (side) {
      fetch(self.fig[side], { credentials: "same-origin" }).then(function (r) {
        if (!r.ok) throw new Error("no figure");
        return r.text();
      }).then(function (text) {
        if (self.box.dataset.drill !== wanted) return;  // a later snack was loaded meanwhile
        var doc = new DOMParser().parseFromString(text, "image/svg+xml");
        var svg = doc.documentElement;
        if (!svg || svg.nodeName.toLowerCase() !== "svg") return;
        var wrap = document.createElement("div");
        wrap.className = "fig-view"; wrap.dataset.side = side;
        wrap.appendChild(document.importNode(svg, true));
        var live = wrap.firstChild;
        live.removeAttribute("width"); live.removeAttribute("height");
        if (live.pauseAnimations) live.pauseAnimations();
        self.views[side] = wrap;
        self.box.insertBefore(wrap, self.box.firstChild);
        if (img) img.hidden = true;
        self.show(self.side || "left", true);
        self.box.dataset.ready = "1";
      }).catch(function () { /* offline and not cached: the still <img> stays */ });
    });
    this.box.dataset.drill = wanted;
    this.box.dataset.ready = "";
    Array.prototype.forEach.call(this.box.querySelectorAll(".fig-view"), function (v) { v.remove(); });
    if (img) img.hidden = false;
    this.show("left");
    this.at(0);
  };
  FigureBox.prototype.show = function (side, force) {
    side = side === "right" ? "right" : (side === "left" ? "left" : "");
    if (side === this.side && !force) return;
    this.side = side;
    this.box.dataset.side = side;
    var view = this.fig && this.fig.sided && side === "right" ? "right" : "left";
    this.box.dataset.mirrored = view === "right" ? "1" : "";
    var views = this.views;
    Object.keys(views).forEach(function (k) { views[k].hidden = k !== view; });
    var cap = this.box.querySelector("figcaption");
    if (cap) cap.textContent = side ? side + " side" + (view === "right" ? " (figure mirrored)" : "") : "";
  };
  FigureBox.prototype.at = function (t) {  // seconds on the figure's own loop
    if (!this.fig) return;
    t = Math.max(0, Math.min(t, this.fig.loop - 0.001));
    this.box.dataset.time = t.toFixed(2);
    var views = this.views;
    Object.keys(views).forEach(function (k) {
      var svg = views[k].firstChild;
      if (svg && svg.setCurrentTime) svg.setCurrentTime(t);
    });
  };
  // Where the figure is during a phase: a moving rep is one loop (out to the end range and
  // back); a hold goes to the end range and stays; relax comes back; the rest is the start pose.
  function figureTime(fig, ph, elapsed) {
    if (!fig) return 0;
    var f = ph.secs > 0 ? Math.min(1, elapsed / ph.secs) : 1;
    if (ph.kind === "move") return f * fig.loop;
    if (ph.kind === "hold") return fig.arrive * Math.min(1, elapsed / Math.max(0.1, Math.min(fig.arrive, ph.secs)));
    if (ph.kind === "relax") return fig.leave + f * (fig.loop - fig.leave);
    return 0;
  }

  // ---- the follow-along timer: one snack, or the day's remaining snacks (routine) --------------
  function setupTimer(el) {
    var cfg = JSON.parse(el.dataset.timer);
    var items = cfg.items || [];
    if (!items.length) return;
    var params = new URLSearchParams(location.search);
    var speed = Math.min(Math.max(parseFloat(params.get("speed") || "1") || 1, 1), 200);
    function $(id) { return document.getElementById(id); }
    var titleEl = $("timer-title"), doseEl = $("timer-dose-text"), sideEl = $("timer-side");
    var phaseEl = $("timer-phase"), countEl = $("timer-count"), detailEl = $("timer-detail");
    var start = $("timer-start"), pauseBtn = $("timer-pause"), end = $("timer-end");
    var finish = $("timer-finish"), result = $("timer-result"), wakeNote = $("timer-wake");
    var after = $("timer-after"), next = $("timer-next"), speakBox = $("timer-speak"), beepBox = $("timer-beeps");
    var figure = new FigureBox($("timer-figure"));
    var routine = items.length > 1 || !!document.getElementById("routine-list");
    var k = 0, item = null, list = [], i = 0, began = 0, heldFor = 0, paused = false, tick = null;
    var lastCount = null, lock = null, loggedMinutes = null;

    speakBox.checked = sound.speak; beepBox.checked = sound.beeps;
    function keepSound() {
      sound = { speak: speakBox.checked, beeps: beepBox.checked };
      localStorage.setItem(SOUND_KEY, JSON.stringify(sound));
      if (!sound.speak && window.speechSynthesis) { try { speechSynthesis.cancel(); } catch (e) {} }
    }
    speakBox.addEventListener("change", keepSound);
    beepBox.addEventListener("change", keepSound);

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
    function setState(s) { el.dataset.state = s; document.body.dataset.timer = s; }

    function load(n) {
      k = n; item = items[k]; list = item.phases || []; i = 0; paused = false; heldFor = 0;
      if (routine) {
        titleEl.textContent = "Snack " + (k + 1) + " of " + items.length + ": " + item.name;
        Array.prototype.forEach.call(document.querySelectorAll("#routine-list li"), function (li, j) {
          if (j === k) li.setAttribute("aria-current", "step"); else li.removeAttribute("aria-current");
        });
      }
      doseEl.textContent = item.doseText;
      sideEl.textContent = item.side ? " · tighter side: " + item.side : "";
      phaseEl.textContent = "Ready when you are"; countEl.textContent = "–"; detailEl.textContent = "";
      finish.hidden = true; finish.reset(); result.textContent = ""; after.hidden = true;
      start.hidden = false; start.textContent = "Start"; pauseBtn.hidden = true; end.hidden = true;
      el.dataset.item = String(k); el.dataset.drill = item.drill; el.dataset.phase = "";
      setState("ready");
      figure.load(item);
    }
    function elapsed() {
      return paused ? heldFor : heldFor + (performance.now() - began) * speed / 1000;
    }
    function render(e) {
      var p = list[i];
      countEl.textContent = String(Math.max(1, Math.ceil(p.secs - e - 1e-9)));
      figure.at(figureTime(item.figure, p, e));
      var left = Math.ceil(p.secs - e - 1e-9);
      if (!p.quiet && left <= 3 && left >= 1 && left !== lastCount && p.secs > 3) beep(660, 120);
      lastCount = left;
    }
    function enter(n) {
      i = n;
      if (i >= list.length) return done(false);
      var p = list[i];
      began = performance.now(); heldFor = 0; lastCount = Math.ceil(p.secs);
      phaseEl.textContent = p.label; detailEl.textContent = p.detail;
      el.dataset.phase = String(i); el.dataset.kind = p.kind || "";
      var turned = p.side && p.side !== figure.side;
      figure.show(p.side || "");
      if (!p.quiet) beep(i === 0 ? 660 : 880);
      var words = p.label + (turned && p.kind !== "switch" ? ", " + p.side + " side" : "");
      if (p.kind === "switch") words = "Switch sides: " + p.side + " side";
      if (i === 0 && item.cue) words += ". " + item.cue;
      speak(words);
      render(0);
    }
    function step() {
      if (paused) return;
      var e = elapsed();
      while (i < list.length && e >= list[i].secs) {  // a late tick may cross a short phase
        var over = e - list[i].secs;
        enter(i + 1);
        if (i >= list.length) return;
        heldFor = over; began = performance.now(); e = over;
      }
      render(e);
    }
    function run() {
      clearInterval(tick);
      tick = setInterval(step, 50);
    }
    function done(early) {
      clearInterval(tick); tick = null; release();
      var secs = 0;
      for (var j = 0; j < Math.min(i, list.length); j++) secs += list[j].secs;
      if (early && i < list.length) secs += Math.min(elapsed(), list[i].secs);
      var total = list.reduce(function (n, p) { return n + p.secs; }, 0);
      // ended early: log the minutes done; the whole dose: the snack's minutes
      loggedMinutes = early ? Math.max(0.5, Math.round(secs / 30) / 2) : item.minutes;
      if (early && secs >= total) loggedMinutes = item.minutes;
      beep(1046, 400);
      speak("Done. How much discomfort, from 0 to 10?");
      phaseEl.textContent = early ? "Ended" : "Done"; countEl.textContent = "✓"; detailEl.textContent = "";
      figure.at(0);
      start.hidden = false; start.textContent = "Again"; pauseBtn.hidden = true; end.hidden = true;
      finish.hidden = false;
      setState("finished");
      var first = finish.querySelector("input[type=radio]"); if (first) first.focus();
    }
    function pause() {
      heldFor = elapsed(); paused = true; clearInterval(tick); tick = null; release();
      pauseBtn.textContent = "Resume"; setState("paused");
      detailEl.textContent = "Paused · " + list[i].detail;
      if (window.speechSynthesis) { try { speechSynthesis.cancel(); } catch (e) {} }
    }
    function resume() {
      paused = false; began = performance.now();
      pauseBtn.textContent = "Pause"; setState("running");
      detailEl.textContent = list[i].detail;
      wake(); run();
    }
    function begin() {
      finish.hidden = true; result.textContent = ""; after.hidden = true;
      start.hidden = true; pauseBtn.hidden = false; pauseBtn.textContent = "Pause"; end.hidden = false;
      paused = false;
      setState("running");
      wake();
      enter(0);
      run();
      pauseBtn.focus();
    }
    start.addEventListener("click", begin);
    pauseBtn.addEventListener("click", function () { if (paused) resume(); else pause(); });
    end.addEventListener("click", function () { done(true); });
    finish.addEventListener("submit", function (e) {
      e.preventDefault();
      var chosen = finish.querySelector("input[name=discomfort]:checked");
      if (!chosen) { finish.reportValidity(); return; }
      if (!athleteId()) { result.textContent = "Coaches can't log snacks."; return; }
      var body = {
        drill: item.drill, date: item.date, minutes: loggedMinutes,
        discomfort: parseInt(chosen.value, 10), client_id: item.clientId
      };
      var hurt = body.discomfort > cfg.acceptableMax;  // core.safety.ACCEPTABLE_MAX
      logDrill(body).then(function (how) {
        finish.hidden = true;
        result.textContent = (how === "logged" ? "Logged ✓ Well done." : SAVED) +
          (hurt ? " That hurt more than a drill should: next time it is swapped for an easier one." : "");
        setState(how);
        var li = document.getElementById("routine-" + k); if (li) li.classList.add("done");
        afterwards();
      }, function (err) { result.textContent = err.message; });
    });
    function afterwards() {
      after.hidden = false;
      var more = routine && k + 1 < items.length;
      if (more) {
        next.hidden = false; next.textContent = "Next snack: " + items[k + 1].name; next.href = "#timer";
      } else if (!routine && cfg.next) {
        next.hidden = false; next.textContent = "Next snack: " + cfg.next.name; next.href = cfg.next.href;
      } else {
        next.hidden = true;
      }
      (next.hidden ? $("timer-today") : next).focus();
    }
    next.addEventListener("click", function (e) {
      if (!(routine && k + 1 < items.length)) return;  // a link to the next snack's page
      e.preventDefault();
      load(k + 1);
      begin();  // the routine plays on: this tap is the start of the next snack
    });
    load(0);
  }

  document.addEventListener("DOMContentLoaded", function () {
    offlineNote();
    var tz = document.getElementById("tz");
    if (tz) { try { tz.value = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) {} }
    var t = document.getElementById("timer");
    if (t) setupTimer(t);
    if (document.getElementById("snacks")) {
      showQueued();
      // Keep Today's drill pages, and their figures (both sides), for offline use.
      if (window.caches) {
        var links = Array.prototype.map.call(document.querySelectorAll(".snack-name"), function (a) { return a.getAttribute("href"); });
        links = links.concat(links.map(function (u) { return u.split("?")[0] + "/figure.svg"; }));
        links = links.concat(links.filter(function (u) { return /figure\.svg$/.test(u); }).reduce(function (all, u) {
          return all.concat([u + "?side=left", u + "?side=right"]);  // the timer's two sides
        }, []));
        caches.open("triplane-pages-v1").then(function (c) {
          links.forEach(function (u) { fetch(u, { credentials: "same-origin" }).then(function (r) { if (r.ok) c.put(u, r); }, function () {}); });
        });
      }
    }
    flush();
  });
  if ("serviceWorker" in navigator) {
    window.addEventListener("load", function () { navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {}); });
  }
})();
