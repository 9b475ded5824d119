/* Goal Workbooks: a tracker one day at a time, for phones.
   The one-day view is in the page's markup (macros/blocks.html, today_view), so nothing
   moves when this script runs; the script binds it to the table. The full table stays
   (for wide screens and for printing); the view shows one of its rows as large controls
   and writes into that row's own fields, so both keep the same answers, saved by
   sheet.js in this browser only. The day's date comes from the start date written at
   the top of the tracker. */
(function () {
  "use strict";
  var view = document.querySelector(".today");
  var form = view && view.closest("form[data-sheet]");
  if (!form) return;
  var text = view.dataset;
  var rows = Array.prototype.slice.call(form.querySelectorAll(".block-tracker tr[data-day]"));
  if (!rows.length) return;
  var start = form.querySelector(".block-lines input[name$='_date']");  // the start-date line
  var lang = document.documentElement.lang || "en";
  var DAY = 86400000;
  var title = view.querySelector(".today-title");
  var when = view.querySelector(".today-date");
  var previous = view.querySelector(".today-previous");
  var next = view.querySelector(".today-next");
  var today = view.querySelector(".today-today");
  var current = 0;

  function startDate() {
    var value = start ? start.value.trim() : "";
    var iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
    var date = iso ? new Date(+iso[1], iso[2] - 1, +iso[3]) : new Date(value);
    return value && !isNaN(date.getTime()) ? date : null;
  }

  function todayIndex() {
    var first = startDate();
    if (!first) return current;
    var now = new Date();
    now = new Date(now.getFullYear(), now.getMonth(), now.getDate());
    return Math.max(0, Math.min(rows.length - 1, Math.round((now - first) / DAY)));
  }

  /* The table's own field for a control of the view, on the day shown. */
  function cell(control) {
    var column = +control.closest("[data-column]").dataset.column;
    return rows[current].querySelectorAll("td")[column].querySelector("input");
  }

  /* Write into the table's field and tell sheet.js, which saves every change. */
  function set(input, value) {
    if (input.type === "checkbox") input.checked = value;
    else input.value = value;
    input.dispatchEvent(new Event("input", { bubbles: true }));
  }

  view.addEventListener("click", function (event) {
    var target = event.target.closest("button");
    if (!target || !view.contains(target) || !target.closest("[data-column]")) return;
    var input = cell(target);
    if (target.classList.contains("today-toggle")) {
      set(input, !input.checked);
    } else if (target.classList.contains("today-choice")) {
      set(input, input.value.trim() === target.dataset.value ? "" : target.dataset.value);
    } else if (target.classList.contains("today-step")) {
      var step = +target.closest("[data-step]").dataset.step * +target.dataset.by;
      var value = parseFloat(input.value.replace(",", "."));
      set(input, String(Math.max(0, (isNaN(value) ? 0 : value) + step)));
    }
    fill();
  });
  view.addEventListener("input", function (event) {
    if (event.target.matches("input, textarea")) set(cell(event.target), event.target.value);
  });
  previous.addEventListener("click", function () { show(current - 1, true); });
  next.addEventListener("click", function () { show(current + 1, true); });
  today.addEventListener("click", function () { show(todayIndex(), true); });
  if (start) start.addEventListener("input", function () { show(current, false); });
  form.addEventListener("reset", function () { setTimeout(function () { show(current, false); }); });

  /* Put the day's answers into the view's controls. */
  function fill() {
    view.querySelectorAll("[data-column]").forEach(function (holder) {
      var input = cell(holder);
      if (holder.classList.contains("today-toggle")) {
        holder.setAttribute(holder.getAttribute("role") === "switch" ? "aria-checked" : "aria-pressed",
                            String(input.checked));
      } else if (holder.classList.contains("today-scale")) {
        holder.querySelectorAll("button").forEach(function (b) {
          b.setAttribute("aria-pressed", String(input.value.trim() === b.dataset.value));
        });
      } else {
        var own = holder.matches("input, textarea") ? holder : holder.querySelector("input");
        if (own !== document.activeElement) own.value = input.value;
      }
    });
  }

  function show(index, focus) {
    current = Math.max(0, Math.min(rows.length - 1, index));
    var day = +rows[current].dataset.day;
    title.textContent = text.dayLabel.replace("{n}", day);
    var first = startDate();
    when.textContent = first ? new Date(first.getTime() + (day - 1) * DAY).toLocaleDateString(
      lang, { weekday: "long", day: "numeric", month: "long" }) : text.noStart;
    previous.disabled = current === 0;
    next.disabled = current === rows.length - 1;
    today.hidden = !first;
    fill();
    if (focus) title.focus();
  }

  show(todayIndex(), false);
})();
