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
    var query = form.elements.q, state = form.elements.state;
    var count = form.querySelector(".table-count");
    function apply() {
      var terms = query.value.toLowerCase().split(/\s+/).filter(Boolean);
      var wanted = state.value, shown = 0;
      rows.forEach(function (row) {
        var text = row.getAttribute("data-search");
        var visible = (!wanted || row.getAttribute("data-state") === wanted) &&
          terms.every(function (term) { return text.indexOf(term) !== -1; });
        row.hidden = !visible;
        if (visible) { shown += 1; }
      });
      count.textContent = shown === rows.length ? rows.length + " cases" : "Showing " + shown + " of " + rows.length + " cases";
    }
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    query.addEventListener("input", apply);
    state.addEventListener("change", apply);
    form.hidden = false;
    apply();
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), makeSortable);
    Array.prototype.forEach.call(document.querySelectorAll("form[data-table-tools]"), makeFilterable);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
