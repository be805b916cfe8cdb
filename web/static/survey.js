// A survey's conditional questions: a question shown only for a given
// answer to an earlier one is hidden until that answer is chosen. Without
// JavaScript every question shows, with a hint saying when to answer it,
// and the server skips what does not apply.
(function () {
  "use strict";
  var form = document.querySelector("form.survey");
  if (!form) return;
  var dependent = form.querySelectorAll("[data-show-if]");
  if (!dependent.length) return;

  function answered(name, equals) {
    var els = form.querySelectorAll('[name="' + CSS.escape(name) + '"]');
    for (var i = 0; i < els.length; i++) {
      var el = els[i];
      if (el.disabled) continue; // a hidden question's answer does not count
      if (el.type === "radio" || el.type === "checkbox") {
        if (el.checked && el.value === equals) return true;
      } else if (el.value === equals) {
        return true;
      }
    }
    return false;
  }
  function update() {
    dependent.forEach(function (q) {
      var show = answered(q.dataset.showIf, q.dataset.equals);
      if (q.hidden === !show) return;
      q.hidden = !show;
      // A hidden question sends nothing.
      q.querySelectorAll("input, select, textarea").forEach(function (el) { el.disabled = !show; });
    });
  }
  form.addEventListener("change", update);
  form.addEventListener("input", update);
  update();
})();
