// Ratusz live updates: the page works without this script; with it, the
// part of the page marked #live-region is refreshed when the session's
// events arrive over a websocket, and a status line says so.
(function () {
  "use strict";
  var status = document.getElementById("live-status");
  var region = document.getElementById("live-region");
  if (!status || !region || !window.WebSocket || !window.fetch) return;
  var session = status.getAttribute("data-live-session");
  var last = 0, delay = 1000;
  function refresh() {
    fetch(location.href, { credentials: "same-origin" }).then(function (r) { return r.text(); }).then(function (html) {
      var doc = new DOMParser().parseFromString(html, "text/html");
      var fresh = doc.getElementById("live-region");
      if (!fresh || region.contains(document.activeElement)) return; // never move the reader's focus
      region.innerHTML = fresh.innerHTML;
      status.textContent = status.getAttribute("data-live-text") + " " + new Date().toLocaleTimeString();
    });
  }
  function connect() {
    var proto = location.protocol === "https:" ? "wss:" : "ws:";
    var ws = new WebSocket(proto + "//" + location.host + "/live/sessions/" + session + (last ? "?since=" + last : ""));
    ws.onmessage = function (e) {
      var m = JSON.parse(e.data);
      if (m.seq > last) last = m.seq;
      delay = 1000;
      refresh();
    };
    ws.onclose = function () { setTimeout(connect, delay); delay = Math.min(delay * 2, 30000); };
  }
  connect();
})();
