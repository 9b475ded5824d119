/* Goal Workbooks: a tracker one day at a time, for phones.
   The full table stays (for wide screens and for printing); this view shows one
   of its rows as large controls and writes into that row's own fields, so both
   keep the same answers, saved by sheet.js in this browser only. The day's date
   comes from the start date written at the top of the tracker. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-sheet]");
  var block = form && form.querySelector(".block-tracker.per-day");
  if (!block) return;
  var text = block.dataset;
  var rows = Array.prototype.slice.call(block.querySelectorAll("tr[data-day]"));
  if (!rows.length) return;
  var heads = Array.prototype.slice.call(block.querySelector("thead tr").children, 1);
  var start = form.querySelector(".block-lines input[name$='_date']");  // the start-date line
  var lang = document.documentElement.lang || "en";
  var DAY = 86400000;
  var current = 0;

  var view = element("section", "today");
  view.setAttribute("aria-labelledby", "today-title");
  var title = element("h2", "today-title");
  title.id = "today-title";
  title.tabIndex = -1;
  var when = element("p", "today-date");
  var nav = element("div", "today-nav");
  var previous = button(text.previousDay, "button button-quiet", function () { show(current - 1, true); });
  var next = button(text.nextDay, "button button-quiet", function () { show(current + 1, true); });
  var today = button(text.today, "button", function () { show(todayIndex(), true); });
  nav.append(previous, today, next);
  var body = element("div", "today-body");
  view.append(title, when, nav, body);
  block.parentNode.insertBefore(view, block);

  function element(tag, className) {
    var el = document.createElement(tag);
    if (className) el.className = className;
    return el;
  }

  function button(label, className, onClick) {
    var b = element("button", className);
    b.type = "button";
    b.textContent = label;
    b.addEventListener("click", onClick);
    return b;
  }

  function startDate() {
    var value = start ? start.value.trim() : "";
    var iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
    var date = iso ? new Date(+iso[1], iso[2] - 1, +iso[3]) : new Date(value);
    return isNaN(date.getTime()) ? null : date;
  }

  function todayIndex() {
    var first = startDate();
    if (!first) return current;
    var now = new Date();
    now = new Date(now.getFullYear(), now.getMonth(), now.getDate());
    var index = Math.round((now - first) / DAY);
    return Math.max(0, Math.min(rows.length - 1, index));
  }

  /* Write into the table's own field and tell sheet.js, which saves every change. */
  function set(input, value) {
    if (input.type === "checkbox") input.checked = value;
    else input.value = value;
    input.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function stepper(input, label, step) {
    var wrap = element("div", "today-stepper");
    var minus = button("−", "today-step", function () { change(-step); });
    var plus = button("+", "today-step", function () { change(step); });
    minus.setAttribute("aria-label", text.less + ": " + label);
    plus.setAttribute("aria-label", text.more + ": " + label);
    var own = element("input", "today-number");
    own.type = "text";
    own.inputMode = "numeric";
    own.value = input.value;
    own.setAttribute("aria-label", label);
    own.addEventListener("input", function () { set(input, own.value); });
    function change(by) {
      var value = parseFloat(own.value.replace(",", "."));
      value = Math.max(0, (isNaN(value) ? 0 : value) + by);
      own.value = String(value);
      set(input, own.value);
    }
    wrap.append(minus, own, plus);
    return wrap;
  }

  function scale(input, label, low, high) {
    var group = element("div", "today-scale");
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", label);
    for (var v = low; v <= high; v++) {
      (function (value) {
        var b = button(String(value), "today-choice", function () {
          var on = b.getAttribute("aria-pressed") !== "true";
          Array.prototype.forEach.call(group.children, function (other) {
            other.setAttribute("aria-pressed", "false");
          });
          b.setAttribute("aria-pressed", String(on));
          set(input, on ? String(value) : "");
        });
        b.setAttribute("aria-pressed", String(input.value.trim() === String(value)));
        group.appendChild(b);
      })(v);
    }
    return group;
  }

  function toggle(input, label, role) {
    var b = button(label, "today-toggle", function () {
      var on = !input.checked;
      set(input, on);
      b.setAttribute(role === "switch" ? "aria-checked" : "aria-pressed", String(on));
    });
    if (role === "switch") b.setAttribute("role", "switch");
    b.setAttribute(role === "switch" ? "aria-checked" : "aria-pressed", String(input.checked));
    return b;
  }

  function show(index, focus) {
    current = Math.max(0, Math.min(rows.length - 1, index));
    var row = rows[current];
    var day = +row.dataset.day;
    title.textContent = text.dayLabel.replace("{n}", day);
    var first = startDate();
    when.textContent = first ? new Date(first.getTime() + (day - 1) * DAY).toLocaleDateString(
      lang, { weekday: "long", day: "numeric", month: "long" }) : text.noStart;
    previous.disabled = current === 0;
    next.disabled = current === rows.length - 1;
    today.hidden = !first;
    body.textContent = "";
    var strategies = element("div", "today-strategies");
    Array.prototype.forEach.call(row.querySelectorAll("td"), function (cell, i) {
      var input = cell.querySelector("input");
      var head = heads[i];
      if (!input || !head) return;
      var kind = head.className.replace(/^th-/, "");
      var label = head.dataset.label || head.textContent.trim();
      if (kind === "date") return;  // the view's own heading says the date
      if (kind === "strategy") {
        strategies.appendChild(toggle(input, label, "pressed"));
        return;
      }
      var field = element("div", "today-field today-" + kind);
      var name = element("p", "today-label");
      name.textContent = label;
      field.appendChild(name);
      if (kind === "scale" && head.dataset.min !== undefined) {
        field.appendChild(scale(input, label, +head.dataset.min, +head.dataset.max));
      } else if (kind === "yes-no") {
        field.removeChild(name);
        field.appendChild(toggle(input, label, "switch"));
      } else if (kind === "count" || kind === "minutes") {
        field.appendChild(stepper(input, label, kind === "minutes" ? 5 : 1));
      } else {
        var area = element(kind === "notes" ? "textarea" : "input", "today-text");
        area.value = input.value;
        area.setAttribute("aria-label", label);
        area.addEventListener("input", function () { set(input, area.value); });
        field.appendChild(area);
      }
      body.appendChild(field);
    });
    if (strategies.children.length) {
      var heading = element("p", "today-label");
      heading.textContent = text.strategies;
      body.insertBefore(heading, body.querySelector(".today-notes"));
      body.insertBefore(strategies, body.querySelector(".today-notes"));
    }
    if (focus) title.focus();
  }

  if (start) start.addEventListener("input", function () { show(current, false); });
  show(todayIndex(), false);
})();
