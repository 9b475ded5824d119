/* Goal Workbooks: search, run entirely in this browser.
   The index was made by Pagefind when the site was built (pagefind/ next to
   this site's pages); queries never leave the browser. Texts come from the
   page's data-* attributes, so they are in the site's language. */
(function () {
  "use strict";
  var box = document.querySelector("[data-search]");
  if (!box) return;
  var form = box.querySelector("form");
  var input = box.querySelector("input[type=search]");
  var status = box.querySelector("[role=status]");
  var list = box.querySelector(".search-results");
  var text = box.dataset;
  var pagefind = null;
  var latest = 0;

  box.querySelector(".search-nojs").hidden = true;
  form.hidden = false;

  function say(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, key) {
      return key in values ? String(values[key]) : whole;
    });
  }

  function load() {
    if (!pagefind) {
      var bundle = new URL(text.bundle, document.location.href).href;
      pagefind = import(bundle).then(function (module) {
        // pageLength 0.2 (Pagefind: 0.75): a goal's own page, long and about the goal,
        // ranks above its short sheets, which share its title.
        return module.options({ excerptLength: 24, ranking: { pageLength: 0.2 } })
          .then(function () { return module; });
      });
      pagefind.catch(function () { pagefind = null; });
    }
    return pagefind;
  }

  /* Pagefind's excerpt is HTML with <mark> around the words found; keep only
     its text and those marks. */
  function excerpt(html) {
    var parsed = new DOMParser().parseFromString("<p>" + html + "</p>", "text/html");
    var p = document.createElement("p");
    parsed.body.firstChild.childNodes.forEach(function (node) {
      if (node.nodeName === "MARK") {
        var mark = document.createElement("mark");
        mark.textContent = node.textContent;
        p.appendChild(mark);
      } else {
        p.appendChild(document.createTextNode(node.textContent));
      }
    });
    return p;
  }

  function show(query, pages) {
    list.replaceChildren();
    pages.forEach(function (page) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = page.url.replace(/^\//, "");
      link.textContent = page.meta.title || page.url;
      item.appendChild(link);
      if (page.meta.kind) {
        var kind = document.createElement("span");
        kind.className = "tag";
        kind.textContent = page.meta.kind;
        item.appendChild(document.createTextNode(" "));
        item.appendChild(kind);
      }
      item.appendChild(excerpt(page.excerpt));
      list.appendChild(item);
    });
    var count = pages.length;
    status.textContent = say(count === 0 ? text.noResults : count === 1 ? text.oneResult : text.results,
                             { query: query, count: count });
  }

  function search(query) {
    var ticket = ++latest;
    query = query.trim();
    var address = query ? "?q=" + encodeURIComponent(query) : document.location.pathname.split("/").pop();
    history.replaceState(null, "", address);
    if (!query) {
      list.replaceChildren();
      status.textContent = "";
      return;
    }
    status.textContent = text.searching;
    load().then(function (module) {
      return module.search(query);
    }).then(function (found) {
      return Promise.all(found.results.slice(0, 30).map(function (r) { return r.data(); }));
    }).then(function (pages) {
      if (ticket === latest) show(query, pages);
    }).catch(function () {
      if (ticket !== latest) return;
      list.replaceChildren();
      status.textContent = document.location.protocol === "file:" ? text.fromDisk : text.unavailable;
    });
  }

  var timer = 0;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { search(input.value); }, 200);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(timer);
    search(input.value);
  });

  var initial = new URLSearchParams(document.location.search).get("q");
  if (initial) {
    input.value = initial;
    search(initial);
  } else if (document.location.protocol === "file:") {
    status.textContent = text.fromDisk;
  }
})();
