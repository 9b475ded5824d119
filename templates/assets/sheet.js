/* Goal Workbooks: fill in a sheet online.
   Answers are kept only in this browser (localStorage, one entry per sheet)
   and put back when the page is opened again. Nothing is ever sent anywhere:
   this script makes no network request, and the page's Content-Security-Policy
   forbids form submission. Without JavaScript the sheet is still a plain
   form that can be filled in and printed. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-sheet]");
  if (!form) return;
  var text = form.dataset;
  var root = new URL(text.root, document.location.href).pathname.replace(/[^/]*$/, "");
  var key = "goal-workbooks:" + root + ":" + text.sheet;
  var store = null;
  try {
    store = window.localStorage;
    store.getItem(key);
  } catch (error) {
    store = null;
  }

  function fields() {
    return Array.prototype.filter.call(form.elements, function (el) { return el.name; });
  }

  function read() {
    var answers = {};
    fields().forEach(function (el) {
      if (el.type === "checkbox") {
        if (el.checked) answers[el.name] = true;
      } else if (el.type === "radio") {
        if (el.checked) answers[el.name] = el.value;
      } else if (el.value !== "") {
        answers[el.name] = el.value;
      }
    });
    return answers;
  }

  function restore(answers) {
    fields().forEach(function (el) {
      if (!(el.name in answers)) return;
      var value = answers[el.name];
      if (el.type === "checkbox") el.checked = value === true;
      else if (el.type === "radio") el.checked = el.value === value;
      else el.value = String(value);
    });
  }

  function save() {
    if (!store) return;
    var answers = read();
    try {
      if (Object.keys(answers).length) store.setItem(key, JSON.stringify(answers));
      else store.removeItem(key);
    } catch (error) {
      say(text.notSaved);
    }
  }

  var status = document.createElement("p");
  status.className = "sheet-status";
  status.setAttribute("role", "status");
  form.parentNode.insertBefore(status, form);

  function say(message) {
    status.textContent = message;
  }

  if (store) {
    try {
      restore(JSON.parse(store.getItem(key) || "{}"));
    } catch (error) {
      store.removeItem(key);
    }
  } else {
    say(text.notSaved);
  }

  form.addEventListener("input", save);
  form.addEventListener("change", save);
  form.addEventListener("submit", function (event) { event.preventDefault(); });

  function button(label, className, onClick) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = className;
    b.textContent = label;
    b.addEventListener("click", onClick);
    return b;
  }

  var actions = document.querySelector(".sheet-actions");
  if (text.pdf && window.DecompressionStream && window.Blob && window.URL) {
    var making = false;
    actions.insertBefore(button(text.filledLabel, "button button-filled", function () {
      if (making) return;
      making = true;
      say(text.filledMaking);
      loadFiller().then(function () {
        return fetch(text.pdf, { credentials: "same-origin" });
      }).then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.arrayBuffer();
      }).then(function (bytes) {
        return window.GoalWorkbooksFillPdf(bytes, read());
      }).then(function (filled) {
        var link = document.createElement("a");
        link.href = URL.createObjectURL(new Blob([filled], { type: "application/pdf" }));
        link.download = text.filledName;
        document.body.appendChild(link);
        link.click();
        link.remove();
        setTimeout(function () { URL.revokeObjectURL(link.href); }, 60000);
        say(text.filledDone);
      }).catch(function () {
        say(text.filledFailed);
      }).then(function () { making = false; });
    }), actions.children[1] || null);
  }

  /* The PDF writer is loaded only when it is needed (it is the page's largest script). */
  function loadFiller() {
    if (window.GoalWorkbooksFillPdf) return Promise.resolve();
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = text.fillScript;
      script.onload = resolve;
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  actions.appendChild(button(text.printLabel, "button button-quiet", function () { window.print(); }));
  actions.appendChild(button(text.clearLabel, "button button-quiet button-clear", function () {
    if (!window.confirm(text.clearConfirm)) return;
    form.reset();
    if (store) store.removeItem(key);
    say(text.cleared);
  }));
})();
