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
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = cellKey(a, column, type), y = cellKey(b, column, type);
          var order = x < y ? -1 : x > y ? 1 : 0;
          if (!ascending) { order = -order; }
          return order || (a.getAttribute("data-order") - b.getAttribute("data-order"));
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  }

  function makeFilterable(form) {
    var table = document.getElementById(form.getAttribute("data-table-tools"));
    if (!table) { return; }
    var rows = Array.prototype.filter.call(table.tBodies[0].rows, function (row) {
      return row.hasAttribute("data-search");
    });
    var query = form.elements.q, state = form.elements.state, owner = form.elements.owner, tag = form.elements.tag;
    var count = form.querySelector(".table-count");
    function apply() {
      var terms = query.value.toLowerCase().split(/\s+/).filter(Boolean);
      var wanted = state.value, shown = 0;
      var who = owner ? owner.value : "", label = tag ? tag.value : "";
      rows.forEach(function (row) {
        var text = row.getAttribute("data-search");
        var visible = (!wanted || row.getAttribute("data-state") === wanted) &&
          (!who || row.getAttribute("data-owner") === who) &&
          (!label || (row.getAttribute("data-tags") || "").indexOf(" " + label + " ") !== -1) &&
          terms.every(function (term) { return text.indexOf(term) !== -1; });
        row.hidden = !visible;
        if (visible) { shown += 1; }
      });
      count.textContent = shown === rows.length ? rows.length + " cases" : "Showing " + shown + " of " + rows.length + " cases";
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
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
