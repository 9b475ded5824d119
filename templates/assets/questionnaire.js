/* Goal Workbooks: a questionnaire's total, worked out in this browser.
   The scoring rules are the page's own data (data-rules, written by the build from
   workbook/clinical/questionnaires.py, the same rules `workbook progress` uses);
   nothing is sent anywhere. A risk answer shows its note beside the question at once. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-sheet]");
  var box = form && form.querySelector(".block-score");
  if (!box) return;
  var rules = JSON.parse(box.dataset.rules);
  var text = box.dataset;
  var result = box.querySelector(".score-result");
  var prefix = form.querySelector("input[type=radio]").name.replace(/_[^_]*$/, "");

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, key) {
      return key in values ? String(values[key]) : all;
    });
  }

  function number(value) {
    return Math.round(value * 100) / 100;
  }

  function chosen(item) {
    var el = form.querySelector("input[name='" + prefix + "_" + item.id + "']:checked");
    return el ? Number(el.value) : null;
  }

  function ends(pick) {
    var scores = rules.items.map(function (item) { return pick.apply(null, item.scores); });
    var sum = scores.reduce(function (a, b) { return a + b; }, 0);
    return rules.method === "mean" ? sum / scores.length : sum * rules.multiply;
  }

  function total() {
    var answered = [];
    rules.items.forEach(function (item) {
      var value = chosen(item);
      if (value !== null) answered.push(value);
    });
    // online, the total waits for every answer (prorating is for returned paper copies)
    if (answered.length < rules.items.length) return {};
    var sum = answered.reduce(function (a, b) { return a + b; }, 0);
    return { value: rules.method === "mean" ? number(sum / answered.length) : sum * rules.multiply };
  }

  function band(value) {
    for (var i = 0; i < rules.bands.length; i++) {
      var b = rules.bands[i];
      if (b.min - 1e-9 <= value && value <= b.max + 1e-9) return b.label;
    }
    return "";
  }

  function update() {
    var score = total();
    if (score.value === undefined) {
      var left = rules.items.filter(function (item) { return chosen(item) === null; }).length;
      result.textContent = fill(text.remaining, { n: left });
    } else {
      var parts = [fill(text.total, { total: number(score.value), low: number(ends(Math.min)),
                                      high: number(ends(Math.max)) })];
      var named = band(score.value);
      if (named) parts.push(fill(text.band, { band: named }));
      parts.push(rules.higher_is === "better" ? text.better : text.worse);
      result.textContent = parts.join(" ");
    }
    form.querySelectorAll("fieldset[data-risk]").forEach(function (set) {
      var note = set.querySelector(".risk-note");
      var checked = set.querySelector("input:checked");
      var value = checked ? Number(checked.value) : null;
      var hit = JSON.parse(set.dataset.risk).filter(function (risk) {
        return value !== null && value >= risk[0];
      });
      if (!hit.length) {
        note.hidden = true;
        note.textContent = "";
        return;
      }
      if (!note.hidden) return;  // already said: not again on every change
      note.textContent = "";
      hit.concat([[0, form.dataset.support]]).forEach(function (risk) {
        var p = document.createElement("p");
        p.textContent = risk[1];
        note.appendChild(p);
      });
      note.hidden = false;
    });
  }

  form.addEventListener("change", update);
  form.addEventListener("reset", function () { setTimeout(update, 0); });
  update();  // answers kept from an earlier visit (sheet.js puts them back first)
})();
