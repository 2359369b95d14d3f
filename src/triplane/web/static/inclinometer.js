/* The phone-on-the-shin inclinometer (issue 13). The phone's tilt within its screen plane comes
   from DeviceOrientation (beta, gamma): the up direction in the phone's frame is
   (-cos b sin g, sin b, cos b cos g), and the angle of the phone's long axis from vertical,
   measured in the screen plane, is atan2(cos b sin g, sin b). A reading counts when it holds
   within STEADY degrees for SECONDS seconds: first the neutral (the zero), then each end range. */
(function () {
  "use strict";
  var root = document.getElementById("incl");
  if (!root) return;
  var SECONDS = parseFloat(root.dataset.steadySeconds) * 1000;
  var STEADY = parseFloat(root.dataset.steadyDegrees);
  var MIN_MOVE = 3; // an end range must differ from the zero by this much
  var out = document.getElementById("incl-angle");
  var say = document.getElementById("incl-say");
  var start = document.getElementById("incl-start");
  var save = document.getElementById("incl-save");
  var fields = Array.prototype.slice.call(document.querySelectorAll("#incl-form input[type=number]"));
  var samples = [];
  var step = -1; // -1 not started; even: zeroing before a side's first motion
  var zero = null;
  var queue = [];
  var heard = false;

  function tilt(b, g) {
    var r = Math.PI / 180;
    return Math.atan2(Math.cos(b * r) * Math.sin(g * r), Math.sin(b * r)) / r;
  }

  function plan() {
    queue = [];
    var side = null;
    fields.forEach(function (f) {
      if (f.dataset.side !== side) {
        side = f.dataset.side;
        queue.push({ zero: true, side: side });
      }
      queue.push({ zero: false, field: f, side: side, say: f.dataset.say });
    });
  }

  function prompt() {
    var s = queue[step];
    if (!s) {
      say.textContent = "Done: both sides measured. Check the numbers and save.";
      save.disabled = false;
      return;
    }
    say.textContent = s.zero
      ? s.side + " leg: hold the neutral position still to zero the phone."
      : s.side + " leg: " + s.say + " Hold still there.";
  }

  function onReading(deg, now) {
    out.textContent = zero === null ? deg.toFixed(1) : Math.abs(deg - zero).toFixed(1);
    if (step < 0 || step >= queue.length) return;
    samples.push([now, deg]);
    while (samples.length && now - samples[0][0] > SECONDS) samples.shift();
    if (!samples.length || now - samples[0][0] < SECONDS * 0.95) return;
    var vals = samples.map(function (p) { return p[1]; });
    var lo = Math.min.apply(null, vals), hi = Math.max.apply(null, vals);
    if (hi - lo > STEADY) return;
    var mean = vals.reduce(function (a, b) { return a + b; }, 0) / vals.length;
    var s = queue[step];
    if (s.zero) {
      zero = mean;
    } else {
      var angle = Math.abs(mean - zero);
      if (angle < MIN_MOVE) return; // still at the zero: wait for the movement
      s.field.value = angle.toFixed(1);
    }
    if (navigator.vibrate) navigator.vibrate(150);
    samples = [];
    step += 1;
    prompt();
  }

  function listen() {
    window.addEventListener("deviceorientation", function (e) {
      if (e.beta === null || e.gamma === null) return;
      heard = true;
      onReading(tilt(e.beta, e.gamma), performance.now());
    });
    // Some sensors report only on change: keep the steady clock running with the last value.
    setInterval(function () {
      if (!samples.length) return;
      onReading(samples[samples.length - 1][1], performance.now());
    }, 250);
    setTimeout(function () {
      if (!heard) document.getElementById("incl-nosensor").hidden = false;
    }, 3000);
  }

  start.addEventListener("click", function () {
    // A new id for each measuring: the page may come from the offline cache with an old one.
    var id = document.querySelector('#incl-form input[name="client_id"]');
    if (id) id.value = Date.now().toString(16) + Math.random().toString(16).slice(2, 10);
    plan();
    fields.forEach(function (f) { f.value = ""; });
    save.disabled = true;
    step = 0;
    zero = null;
    samples = [];
    start.textContent = "Start again";
    prompt();
    var DOE = window.DeviceOrientationEvent;
    if (DOE && typeof DOE.requestPermission === "function") {
      DOE.requestPermission().then(function (r) { if (r === "granted") listen(); });
    } else if (!listen.done) {
      listen.done = true;
      listen();
    }
  });

  // ---- offline: a save without a connection waits on this phone and is sent later ----------
  // Each form carries a client_id, so a reading sent twice is recorded once.
  var PENDING_KEY = "triplane.inclinometer.v1";
  var form = document.getElementById("incl-form");
  var note = document.getElementById("incl-pending");

  function pending() {
    try { return JSON.parse(localStorage.getItem(PENDING_KEY) || "[]"); } catch (e) { return []; }
  }
  function keep(items) { localStorage.setItem(PENDING_KEY, JSON.stringify(items)); }
  function freshToken(body) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    var params = new URLSearchParams(body);
    if (meta && meta.content) params.set("csrf", meta.content);
    return params.toString();
  }
  function post(body) {
    return fetch(form.action, {
      method: "POST", credentials: "same-origin", body: body,
      headers: { "Content-Type": "application/x-www-form-urlencoded" }
    });
  }
  function showPending(extra) {
    var n = pending().length;
    note.hidden = !n && !extra;
    note.textContent = (extra ? extra + " " : "") + (n
      ? n + (n === 1 ? " measurement waits" : " measurements wait") +
        " on this phone: it is sent when you are online with this page open."
      : "");
  }
  function flush() {
    var items = pending();
    if (!items.length || navigator.onLine === false) { showPending(); return Promise.resolve(); }
    var left = [], refused = 0, sent = 0;
    return items.reduce(function (chain, body) {
      return chain.then(function () {
        return post(freshToken(body)).then(function (r) {
          if (r.status >= 500) left.push(body);
          else if (r.ok) sent += 1;  // the profile page, after the redirect
          else refused += 1;  // the server said what was wrong with it: measure again
        }, function () { left.push(body); });
      });
    }, Promise.resolve()).then(function () {
      keep(left);
      showPending((sent ? sent + " saved measurement(s) sent." : "") +
        (refused ? " " + refused + " could not be recorded: measure again." : ""));
    });
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var body = new URLSearchParams(new FormData(form)).toString();
    function later() {
      var items = pending();
      items.push(body);
      keep(items);
      save.disabled = true;
      say.textContent = "No connection: saved on this phone.";
      showPending();
    }
    if (navigator.onLine === false) { later(); return; }
    post(body).then(function (r) {
      if (r.ok && r.redirected) { window.location.href = r.url; return; }
      if (r.status >= 500) { later(); return; }
      form.submit();  // the server refused it: show its page with the reason
    }, later);
  });
  window.addEventListener("online", flush);
  flush();
})();

