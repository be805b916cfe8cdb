// Ratusz live updates. Every page works without this script; with it, a
// page that names its session (data-live-session on #live-status) follows
// the session's events over a websocket:
//  - the parts marked data-live-region are fetched again from the page
//    itself after an event (one fetch at a time, later events folded into
//    it; a page with data-live-jitter waits a random part of that many
//    milliseconds first, so that thousands of viewers do not ask at once);
//  - vote.progress updates [data-live-cast] and [data-live-bar] in place;
//  - [data-countdown] elements count down on their own from the seconds
//    the server gave (data-remaining), so no clock needs to agree;
//  - forms marked data-live-form are sent in the background: the page keeps
//    its scroll and focus, and what the server answers replaces the
//    regions, so a tap is shown as done only once it is saved;
//  - after a drop it reconnects and asks for what it missed (?since=).
(function () {
  "use strict";
  var status = document.getElementById("live-status");
  if (!status || !window.WebSocket || !window.fetch || !window.DOMParser) return;
  var session = status.getAttribute("data-live-session");
  var jitter = parseInt(status.getAttribute("data-live-jitter") || "0", 10);
  var lang = document.documentElement.lang === "en" ? "en-GB" : "pl-PL"; // the sitting's clock: Warsaw's, as on the page
  var last = 0, delay = 1000, fetching = false, again = false, timer = null;

  function stamp() {
    status.textContent = status.getAttribute("data-live-text") + " " +
      new Date().toLocaleTimeString(lang, { hour: "2-digit", minute: "2-digit", second: "2-digit", timeZone: "Europe/Warsaw" });
  }

  // dirty tells whether the reader has typed or chosen something in r that
  // is not sent yet.
  function dirty(r) {
    var els = r.querySelectorAll("input, textarea, select");
    for (var i = 0; i < els.length; i++) {
      var el = els[i];
      if (el.type === "hidden" || el.type === "submit") continue;
      if (el.tagName === "SELECT") {
        for (var j = 0; j < el.options.length; j++) if (el.options[j].selected !== el.options[j].defaultSelected) return true;
      } else if (el.type === "checkbox" || el.type === "radio") {
        if (el.checked !== el.defaultChecked) return true;
      } else if (el.value !== el.defaultValue) return true;
    }
    return false;
  }

  // swap puts the fresh regions of doc in place of the page's own, except
  // one holding the reader's focus or what they have typed (it is
  // refreshed on a later event) or a question put to them
  // (data-live-keep); sent, every region is replaced.
  function swap(doc, sent) {
    var regions = document.querySelectorAll("[data-live-region]");
    for (var i = 0; i < regions.length; i++) {
      var r = regions[i], fresh = doc.getElementById(r.id);
      if (!fresh) continue;
      if (!sent && ((r.contains(document.activeElement) && document.activeElement !== document.body) || dirty(r))) { again = true; continue; }
      if (!sent && r.querySelector("[data-live-keep]")) continue; // a question waits for its answer
      r.innerHTML = fresh.innerHTML;
    }
    var notice = doc.querySelector("main > .notice");
    var mine = document.querySelector("main > .notice");
    if (mine && !notice) mine.remove();
    startCountdowns();
    stamp();
  }

  function refresh() {
    if (fetching) { again = true; return; }
    fetching = true; again = false;
    fetch(location.pathname + location.search, { credentials: "same-origin" }).then(function (r) { return r.text(); })
      .then(function (html) { swap(new DOMParser().parseFromString(html, "text/html")); })
      .catch(function () {})
      .then(function () { fetching = false; if (again) schedule(0); });
  }

  function schedule(wait) {
    if (timer) return;
    timer = setTimeout(function () { timer = null; refresh(); }, wait);
  }

  function progress(d) {
    var cast = document.querySelectorAll("[data-live-cast]");
    for (var i = 0; i < cast.length; i++) {
      var tpl = cast[i].getAttribute("data-live-cast");
      cast[i].textContent = tpl.replace("{cast}", d.cast).replace("{present}", d.present);
    }
    var bars = document.querySelectorAll("[data-live-bar]");
    for (var j = 0; j < bars.length; j++) {
      bars[j].value = d.cast; bars[j].max = Math.max(d.present, 1);
    }
  }

  // Countdowns: each knows the seconds left when the page was made; the
  // page's own clock measures from then.
  var ticking = [];
  function fmt(s) {
    var neg = s < 0; s = Math.abs(s);
    var m = Math.floor(s / 60), r = s % 60;
    return (neg ? "−" : "") + m + ":" + (r < 10 ? "0" : "") + r;
  }
  function startCountdowns() {
    ticking = [];
    var els = document.querySelectorAll("[data-countdown]");
    var now = Date.now();
    for (var i = 0; i < els.length; i++) {
      ticking.push({ el: els[i], end: now + 1000 * parseInt(els[i].getAttribute("data-remaining"), 10) });
    }
  }
  setInterval(function () {
    var now = Date.now();
    for (var i = 0; i < ticking.length; i++) {
      var left = Math.ceil((ticking[i].end - now) / 1000);
      ticking[i].el.textContent = fmt(left);
      ticking[i].el.classList.toggle("over", left < 0);
      ticking[i].el.classList.toggle("ending", left >= 0 && left <= 30);
    }
  }, 250);

  function connect() {
    var proto = location.protocol === "https:" ? "wss:" : "ws:";
    var ws = new WebSocket(proto + "//" + location.host + "/live/sessions/" + session + (last ? "?since=" + last : ""));
    ws.onopen = function () { if (last) schedule(0); }; // back after a drop: catch up
    ws.onmessage = function (e) {
      var m = JSON.parse(e.data);
      if (m.seq > last) last = m.seq;
      status.setAttribute("data-live-seq", last); // what it has seen, for whoever checks
      delay = 1000;
      if (m.type === "vote.progress" && m.data && document.querySelector("[data-live-cast],[data-live-bar]") && !status.hasAttribute("data-live-all")) {
        progress(m.data); stamp(); return;
      }
      schedule(jitter > 0 ? Math.floor(Math.random() * jitter) : 0);
    };
    ws.onclose = function () { setTimeout(connect, delay); delay = Math.min(delay * 2, 30000); };
  }

  // Forms sent in the background.
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.hasAttribute || !form.hasAttribute("data-live-form")) return;
    e.preventDefault();
    var data = new URLSearchParams(new FormData(form));
    if (e.submitter && e.submitter.name) data.append(e.submitter.name, e.submitter.value);
    var buttons = form.querySelectorAll("button");
    for (var i = 0; i < buttons.length; i++) buttons[i].disabled = true;
    var focused = document.activeElement && document.activeElement.id;
    document.body.setAttribute("aria-busy", "true");
    // getAttribute: a control named "action" hides the form's own property.
    fetch(form.getAttribute("action"), { method: "POST", body: data, credentials: "same-origin" }).then(function (r) { return r.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        swap(doc, true);
        // Focus returns to the control that was used, or its region's heading.
        var back = focused && document.getElementById(focused);
        if (back) back.focus();
      })
      .catch(function () { form.submit(); })
      .then(function () {
        for (var i = 0; i < buttons.length; i++) buttons[i].disabled = false;
        document.body.removeAttribute("aria-busy");
      });
  });

  startCountdowns();
  connect();
})();
