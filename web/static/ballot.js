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
    return b + "," + (gr.length < 2 ? "0" + gr : gr) + "\u00a0zł";
  }
  // The ballot's limits hold in each pool (district) on its own, as the
  // server counts them.
  function update() {
    var n = 0, cost = 0, over = [];
    var maxCount = parseInt(out.dataset.maxCount, 10), maxCost = parseInt(out.dataset.maxCost, 10);
    form.querySelectorAll("fieldset[data-pool]").forEach(function (pool) {
      var pn = 0, pc = 0;
      pool.querySelectorAll("input[data-cost]").forEach(function (el) {
        var on = el.type === "number" ? parseInt(el.value, 10) >= 1 : el.checked;
        if (on) { pn++; pc += parseInt(el.dataset.cost, 10) || 0; }
      });
      n += pn; cost += pc;
      if (maxCount && pn > maxCount) over.push(out.dataset.overCount.replace("%s", pool.dataset.pool));
      if (maxCost && pc > maxCost) over.push(out.dataset.overCost.replace("%s", pool.dataset.pool).replace("%s", pln(maxCost)));
    });
    var text = plural(n) + " · " + (out.dataset.total || "%s").replace("%s", pln(cost));
    if (over.length) text += ". " + over.join(" ");
    if (out.textContent !== text) out.textContent = text; // announced once per change
    out.classList.toggle("over", over.length > 0);
  }
  form.addEventListener("change", update);
  form.addEventListener("input", update);
  out.hidden = false;
  update();
})();
