// Ratusz search as you type: the search page works without this script
// (the form is submitted); with it, the results and facets below the form
// follow the words as they are typed, the address follows too, and a
// status line read by screen readers says how many results there are.
(function () {
  "use strict";
  var form = document.querySelector("form.search-form");
  var results = document.getElementById("search-results");
  var status = document.getElementById("search-status");
  if (!form || !results || !status || !window.fetch || !window.URLSearchParams || !window.DOMParser) return;
  var input = form.querySelector("#q");
  var timer = 0, pending = null, last = input.value;
  function update() {
    var words = input.value.trim();
    if (words === last.trim() || (words.length > 0 && words.length < 2)) return;
    last = input.value;
    var params = new URLSearchParams(new FormData(form));
    var url = form.getAttribute("action") + "?" + params.toString();
    if (pending && pending.abort) pending.abort();
    pending = window.AbortController ? new AbortController() : null;
    fetch(url, { credentials: "same-origin", signal: pending ? pending.signal : undefined })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("search-results");
        if (!fresh || results.contains(document.activeElement)) return; // never move the reader's focus
        results.innerHTML = fresh.innerHTML;
        var heading = results.querySelector("#results-heading");
        status.textContent = heading ? heading.textContent : "";
        history.replaceState(null, "", url);
      })
      .catch(function () { /* the form still works: Enter submits it */ });
  }
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(update, 300);
  });
})();
