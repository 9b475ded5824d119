/* Goal Workbooks: a questionnaire's total, worked out in this browser.
   The scoring rules are the page's own data (data-rules, written by the build from
   workbook/clinical/instruments.py: the same rules, as the same data, that `workbook
   progress` scores a returned copy by). score() below is the browser's copy of
   instruments.score(); a test scores every preset and thousands of random answer sets
   with both and compares them. Nothing is sent anywhere. A risk answer shows its note
   beside the question at once. */
(function () {
  "use strict";

  /* numerator / denominator rounded half away from zero to `places` decimals, exactly
     (whole numbers only, far below 2^53), as instruments.py rounds. */
  function rounded(numerator, denominator, places) {
    var scale = Math.pow(10, places);
    var n = Math.abs(numerator) * scale;
    var q = Math.floor(n / denominator);
    if (2 * (n - q * denominator) >= denominator) q += 1;
    return (numerator < 0 ? -q : q) / scale;
  }

  function ends(rules, pick) {
    var scores = rules.items.map(function (item) { return pick.apply(null, item.scores); });
    var sum = scores.reduce(function (a, b) { return a + b; }, 0);
    return rules.method === "mean" ? sum / scores.length : sum * rules.multiply;
  }

  function bandOf(rules, total) {
    for (var i = 0; i < rules.bands.length; i++) {
      var b = rules.bands[i];
      if (b.min - 1e-9 <= total && total <= b.max + 1e-9) return b.label;
    }
    return "";
  }

  /* answers: item id -> score, or null / absent when unanswered.
     Returns {total (null when it cannot be given), band, answered, risk: [rules met]}. */
  function score(rules, answers) {
    var items = rules.items.length;
    var answered = [];
    rules.items.forEach(function (item) {
      var value = answers[item.id];
      if (value !== null && value !== undefined) answered.push(value);
    });
    var risk = rules.risk.filter(function (rule) {
      var value = answers[rule.item];
      return value !== null && value !== undefined && value >= rule.at_least;
    });
    var result = { total: null, band: "", answered: answered.length, risk: risk };
    var missing = items - answered.length;
    if (!answered.length || (missing && !rules.prorate) || missing > rules.max_missing) {
      return result;
    }
    var sum = answered.reduce(function (a, b) { return a + b; }, 0);
    if (rules.method === "mean") {
      result.total = rounded(sum, answered.length, 2);
    } else {
      var raw = missing ? rounded(sum * items, answered.length, 0) : sum;
      result.total = raw * rules.multiply;
    }
    result.band = bandOf(rules, result.total);
    return result;
  }

  if (typeof document === "undefined") {  // under Node, for the test that compares
    module.exports = { score: score, ends: ends };
    return;
  }

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

  function itemOf(input) {
    return input.name.slice(prefix.length + 1);
  }

  function chosen() {
    var answers = {};
    form.querySelectorAll("input[type=radio]:checked").forEach(function (input) {
      answers[itemOf(input)] = Number(input.value);
    });
    return answers;
  }

  function update() {
    var answers = chosen();
    var scored = score(rules, answers);
    var left = rules.items.length - scored.answered;
    // online, the total waits for every answer (prorating is for returned paper copies)
    if (left) {
      result.textContent = fill(text.remaining, { n: left });
    } else {
      var parts = [fill(text.total, { total: number(scored.total), low: number(ends(rules, Math.min)),
                                      high: number(ends(rules, Math.max)) })];
      if (scored.band) parts.push(fill(text.band, { band: scored.band }));
      parts.push(rules.higher_is === "better" ? text.better : text.worse);
      result.textContent = parts.join(" ");
    }
    form.querySelectorAll("fieldset[data-risk]").forEach(function (set) {
      var note = set.querySelector(".risk-note");
      var item = itemOf(set.querySelector("input[type=radio]"));
      var hit = scored.risk.filter(function (rule) { return rule.item === item; });
      if (!hit.length) {
        note.hidden = true;
        note.textContent = "";
        return;
      }
      if (!note.hidden) return;  // already said: not again on every change
      note.textContent = "";
      hit.map(function (rule) { return rule.message; }).concat([form.dataset.support])
        .forEach(function (message) {
          var p = document.createElement("p");
          p.textContent = message;
          note.appendChild(p);
        });
      note.hidden = false;
    });
  }

  form.addEventListener("change", update);
  form.addEventListener("reset", function () { setTimeout(update, 0); });
  update();  // answers kept from an earlier visit (sheet.js puts them back first)
})();
