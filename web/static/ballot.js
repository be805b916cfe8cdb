// The budget ballot's running total: how many projects are chosen and what
// they cost, updated as the voter ticks. Without JavaScript the check step
// shows the same. Messages come from the page, in its language.
(function () {
  "use strict";
  var out = document.getElementById("ballot-total");
  var form = out && out.closest("form");
  if (!form) return;
  var rules = new Intl.PluralRules(out.dataset.lang === "en" ? "en" : "pl");
  var forms = (out.dataset.count || "").split("|");
  // Our catalogue's order: Polish one|few|many, English one|other.
  var order = out.dataset.lang === "en" ? ["one", "other"] : ["one", "few", "many"];

  function plural(n) {
    var i = order.indexOf(rules.select(n));
    var f = forms[Math.min(i < 0 ? forms.length - 1 : i, forms.length - 1)] || "%d";
    return f.replace("%d", String(n));
  }
  // As participation.FormatPLN writes it: 350 000,00 zł.
  function pln(grosze) {
    var zl = String(Math.floor(grosze / 100)), b = "";
    for (var i = 0; i < zl.length; i++) {
      if (i > 0 && (zl.length - i) % 3 === 0) b += "\u00a0";
      b += zl[i];
    }
    var gr = String(grosze % 100);
    return b + "," + (gr.length < 2 ? "0" + gr : gr) + " zł";
  }
  function update() {
    var n = 0, cost = 0;
    form.querySelectorAll("input[data-cost]").forEach(function (el) {
      var on = el.type === "number" ? parseInt(el.value, 10) >= 1 : el.checked;
      if (on) { n++; cost += parseInt(el.dataset.cost, 10) || 0; }
    });
    var text = plural(n) + " · " + (out.dataset.total || "%s").replace("%s", pln(cost));
    var over = [];
    if (out.dataset.maxCount && n > parseInt(out.dataset.maxCount, 10)) over.push(out.dataset.overCount);
    if (out.dataset.maxCost && cost > parseInt(out.dataset.maxCost, 10)) over.push(out.dataset.overCost);
    if (over.length) text += ". " + over.join(" ");
    out.textContent = text;
    out.classList.toggle("over", over.length > 0);
  }
  form.addEventListener("change", update);
  form.addEventListener("input", update);
  out.hidden = false;
  update();
})();
