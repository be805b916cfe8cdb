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
  // Questions shown are numbered 1, 2, 3 …, without the gaps of hidden ones.
  function renumber() {
    var n = 0;
    form.querySelectorAll(".qn").forEach(function (el) {
      var q = el.closest(".field");
      if (q && q.hidden) return;
      el.textContent = ++n + ".";
    });
    // The error summary names questions by the same numbers.
    document.querySelectorAll('[role=alert] a[href^="#"]').forEach(function (a) {
      var target = document.getElementById(a.getAttribute("href").slice(1));
      var field = target && target.closest(".field");
      var qn = field && field.querySelector(".qn");
      if (qn) a.textContent = a.textContent.replace(/^\d+\./, qn.textContent);
    });
  }
  var plain = update;
  update = function () { plain(); renumber(); };
  form.addEventListener("change", update);
  form.addEventListener("input", update);
  update();
})();
