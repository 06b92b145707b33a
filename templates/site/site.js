/* arrears site: sort and filter the cases table. The page reads fine without this file. */
(function () {
  "use strict";

  function cellKey(row, column, type) {
    var cell = row.cells[column];
    if (!cell) { return type === "number" ? 0 : ""; }
    var raw = cell.hasAttribute("data-value") ? cell.getAttribute("data-value") : cell.textContent.trim();
    if (type === "number") {
      var number = parseFloat(raw);
      return isNaN(number) ? 0 : number;
    }
    return raw.toLowerCase();
  }

  function makeSortable(table) {
    var headers = table.tHead ? table.tHead.rows[0].cells : [];
    var body = table.tBodies[0];
    Array.prototype.forEach.call(body.rows, function (row, index) { row.setAttribute("data-order", index); });
    function sortBy(column, type, ascending) {
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = cellKey(a, column, type), y = cellKey(b, column, type);
        var order = x < y ? -1 : x > y ? 1 : 0;
        if (!ascending) { order = -order; }
        return order || (a.getAttribute("data-order") - b.getAttribute("data-order"));
      });
      rows.forEach(function (row) { body.appendChild(row); });
    }
    Array.prototype.forEach.call(headers, function (th, column) {
      var type = th.getAttribute("data-sort");
      if (!type) { return; }
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      while (th.firstChild) { button.appendChild(th.firstChild); }
      th.appendChild(button);
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(headers, function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        sortBy(column, type, ascending);
      });
    });
    /* Rows added by the filter (from cases.js) take the order the reader chose. */
    table.arrearsResort = function () {
      Array.prototype.forEach.call(headers, function (th, column) {
        var sorted = th.getAttribute("aria-sort");
        if (sorted) { sortBy(column, th.getAttribute("data-sort"), sorted === "ascending"); }
      });
    };
  }

  /* A row of the case table built from one case of cases.js (see site/case_index.py for the positions),
     with DOM calls and textContent only: record text never becomes markup. */
  var F = {id: 0, href: 1, debtor: 2, vulnerable: 3, owner: 4, state: 5, stateLabel: 6, stateOrder: 7, tags: 8,
           search: 9, balance: 10, balanceValue: 11, overdue: 12, overdueValue: 13, days: 14, nextDue: 15,
           nextDueAmount: 16, nextDueValue: 17, followUp: 18, followUpValue: 19, followUpDue: 20};

  function element(parent, tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    parent.appendChild(node);
    return node;
  }

  function indexRow(c, order, base) {
    var row = document.createElement("tr");
    row.setAttribute("data-order", order);
    row.setAttribute("data-found", "");
    function cell(label, value, className) {
      var td = element(row, "td", className);
      td.setAttribute("data-label", label);
      if (value !== null) { td.setAttribute("data-value", String(value)); }
      return td;
    }
    var href = String(c[F.href]);  /* cases/<id>/index.html, relative to the site's root: never another scheme */
    element(cell("Case", null), "a", "", c[F.id]).setAttribute("href", base + (href.indexOf("cases/") === 0 ? href : "#"));
    var debtor = cell("Debtor", null, "debtor-cell");
    debtor.appendChild(document.createTextNode(c[F.debtor]));
    if (c[F.vulnerable]) {
      debtor.appendChild(document.createTextNode(" "));
      element(debtor, "span", "flag flag-vulnerable", "Vulnerable").title = "Vulnerable: gentle tone only";
    }
    cell("Owner", null).textContent = c[F.owner] || "\u2013";
    element(cell("State", c[F.stateOrder]), "span", "state state-" + c[F.state], c[F.stateLabel]);
    cell("Balance", c[F.balanceValue], "num").textContent = c[F.balance];
    cell("Overdue", c[F.overdueValue], "num").textContent = c[F.overdue];
    cell("Days past due", c[F.days], "num").textContent = String(c[F.days]);
    var due = cell("Next due", c[F.nextDueValue]);
    if (c[F.nextDue]) {
      element(due, "span", "nowrap", c[F.nextDue]);
      due.appendChild(document.createTextNode(" "));
      element(due, "span", "muted nowrap", c[F.nextDueAmount]);
    } else {
      due.textContent = "\u2013";
    }
    var follow = cell("Next follow-up", c[F.followUpValue]);
    if (c[F.followUp]) {
      element(follow, "span", c[F.followUpDue] ? "nowrap is-due" : "nowrap", c[F.followUp]);
    } else {
      follow.textContent = "\u2013";
    }
    return row;
  }

  var INDEX_LIMIT = 500;  /* rows built at most from cases.js: a search matching thousands lists the first */

  function makeFilterable(form) {
    var table = document.getElementById(form.getAttribute("data-table-tools"));
    if (!table) { return; }
    var body = table.tBodies[0];
    var rows = Array.prototype.filter.call(body.rows, function (row) {
      return row.hasAttribute("data-search");
    });
    /* A paged list (see site/paging.py) names its index of every case: loaded on first use. */
    var index = form.getAttribute("data-index"), failed = false, loading = false, found = [];
    var total = parseInt(form.getAttribute("data-total"), 10) || rows.length;
    var base = index ? index.slice(0, index.lastIndexOf("/") + 1) : "";
    var query = form.elements.q, state = form.elements.state, owner = form.elements.owner, tag = form.elements.tag;
    var count = form.querySelector(".table-count");
    var section = form.closest ? form.closest("section") : null;
    var pager = index && section ? section.querySelector(".pager") : null;
    function load() {
      if (loading) { return; }
      loading = true;
      var script = document.createElement("script");
      script.src = index;
      script.onload = apply;
      script.onerror = function () { failed = true; apply(); };
      document.head.appendChild(script);
    }
    function apply() {
      var terms = query.value.toLowerCase().split(/\s+/).filter(Boolean);
      var wanted = state.value, shown = 0;
      var who = owner ? owner.value : "", label = tag ? tag.value : "";
      function matches(text, rowState, rowOwner, rowTags) {
        return (!wanted || rowState === wanted) && (!who || rowOwner === who) &&
          (!label || rowTags.indexOf(" " + label + " ") !== -1) &&
          terms.every(function (term) { return text.indexOf(term) !== -1; });
      }
      found.forEach(function (row) { body.removeChild(row); });
      found = [];
      var filtering = terms.length || wanted || who || label;
      if (index && filtering && !failed) {
        var data = window.arrearsCases;
        if (!data) { count.textContent = "Looking through all " + total + " cases\u2026"; load(); return; }
        var fragment = document.createDocumentFragment();
        data.cases.forEach(function (c, order) {
          if (!matches(c[F.search], c[F.state], c[F.owner], " " + c[F.tags] + " ")) { return; }
          shown += 1;
          if (found.length < INDEX_LIMIT) { found.push(fragment.appendChild(indexRow(c, order, base))); }
        });
        if (!shown) {  /* say so, rather than leave an empty table */
          var none = element(fragment, "tr");
          none.setAttribute("data-found", "");
          element(none, "td", "empty", "No case matches.").colSpan = 9;
          found.push(none);
        }
        rows.forEach(function (row) { row.hidden = true; });
        if (pager) { pager.hidden = true; }  /* the matches come from every page */
        body.appendChild(fragment);
        if (table.arrearsResort) { table.arrearsResort(); }
        count.textContent = (shown === total ? total + " cases" : "Showing " + shown + " of " + total + " cases") +
          (shown > found.length ? " (the first " + found.length + " listed: narrow the search to see the rest)" : "");
        return;
      }
      if (pager) { pager.hidden = false; }
      rows.forEach(function (row) {
        var visible = matches(row.getAttribute("data-search"), row.getAttribute("data-state"),
                              row.getAttribute("data-owner"), row.getAttribute("data-tags") || "");
        row.hidden = !visible;
        if (visible) { shown += 1; }
      });
      if (index && !filtering) {
        count.textContent = rows.length + " of " + total + " cases on this page";
      } else {
        count.textContent = shown === rows.length ? rows.length + " cases" : "Showing " + shown + " of " + rows.length + " cases";
      }
    }
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    query.addEventListener("input", apply);
    state.addEventListener("change", apply);
    if (owner) { owner.addEventListener("change", apply); }
    if (tag) { tag.addEventListener("change", apply); }
    form.hidden = false;
    apply();
  }

  /* Calling hours, judged by the reader's clock in the records' time zone: a tel: or sms: link outside them
     stops being a link and says "not now" (the page was built at the start of the day's hours). */
  function localMinutes(zone) {
    try {
      var parts = new Intl.DateTimeFormat("en-GB", {timeZone: zone, hour: "2-digit", minute: "2-digit",
                                                    hourCycle: "h23"}).formatToParts(new Date());
      var get = function (type) { return parseInt(parts.filter(function (p) { return p.type === type; })[0].value, 10); };
      return get("hour") * 60 + get("minute");
    } catch (error) {
      return null;
    }
  }

  function markHours() {
    var hours = (document.body.getAttribute("data-contact-hours") || "").split("-");
    if (hours.length !== 2) { return; }
    var toMinutes = function (text) { var hm = text.split(":"); return parseInt(hm[0], 10) * 60 + parseInt(hm[1], 10); };
    var now = localMinutes(document.body.getAttribute("data-timezone") || undefined);
    if (now === null) { return; }
    var why = now < toMinutes(hours[0]) ? "before " + hours[0] : now > toMinutes(hours[1]) ? "after " + hours[1] : null;
    if (!why) { return; }
    Array.prototype.forEach.call(document.querySelectorAll("a[data-hours]"), function (link) {
      link.setAttribute("data-href", link.getAttribute("href"));
      link.removeAttribute("href");
      link.setAttribute("aria-disabled", "true");
      link.classList.add("not-now");
      var note = document.createElement("span");
      note.className = "not-now-note";
      note.textContent = " not now (" + why + ")";
      link.parentNode.insertBefore(note, link.nextSibling);
    });
  }

  /* Search (Pagefind): its index loads over http(s) only, so from file:// the page says how to get it. */
  function startSearch() {
    var box = document.querySelector("[data-search-ui]");
    if (!box) { return; }
    function unavailable() { document.getElementById("search-unavailable").hidden = false; }
    if (window.location.protocol === "file:") { unavailable(); return; }
    function ready() {  /* pagefind-ui.js is deferred after this file: it runs by the window's load */
      if (typeof window.PagefindUI !== "function") { unavailable(); return; }
      new window.PagefindUI({element: "#search", showImages: false, resetStyles: false});
      var input = box.querySelector("input");
      if (input) { input.setAttribute("aria-label", "Search"); input.focus(); }
    }
    if (document.readyState === "complete") { ready(); } else { window.addEventListener("load", ready); }
  }

  function start() {
    markHours();
    startSearch();
    Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), makeSortable);
    Array.prototype.forEach.call(document.querySelectorAll("form[data-table-tools]"), makeFilterable);
    document.documentElement.setAttribute("data-ready", "");  /* set up: what the browser tests wait for */
    if (window.performance && performance.mark) { performance.mark("arrears-ready"); }  /* and time */
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
