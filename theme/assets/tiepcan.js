/* tiepcan: progressive enhancement only. Without this script every table is complete and every
   form can be printed from the browser; with it, the catalog can be filtered and sorted. */
(function () {
  "use strict";

  // Vietnamese without diacritics: "dang ky" matches "Đăng ký" (NFD drops tone marks; đ is its own letter).
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[đĐ]/g, "d").toLowerCase();
  }

  // A catalog table's rows, in all its groups (one <tbody> per ten rows: theme/assets/tiepcan.css).
  function rowsOf(table) {
    return Array.prototype.slice.call(table.querySelectorAll(":scope > tbody > tr"));
  }

  // What the filter searches in a row: its text without the "Báo lỗi thông tin" link every row has.
  function rowText(row) {
    var copy = row.cloneNode(true);
    Array.prototype.forEach.call(copy.querySelectorAll(".tc-report"), function (link) { link.remove(); });
    return copy.textContent;
  }

  function setupFilter(form) {
    // The clause tables, and the part listing entries whose disclosure period ended (each row names its clause).
    var tables = Array.prototype.slice.call(document.querySelectorAll("table.tc-catalog[data-clause], table.tc-expired"));
    var rows = [];
    tables.forEach(function (table) {
      rowsOf(table).forEach(function (row) {
        rows.push({ row: row, table: table, text: null, year: row.getAttribute("data-year"),
          clause: row.getAttribute("data-clause") || table.getAttribute("data-clause") });
      });
    });
    var status = form.querySelector(".tc-filter-status");
    // Each row's searchable text is made on the first filtering, not while the page loads: on a
    // 500-entry catalog that work would hold up a slow phone's first interaction for every reader.
    function textOf(item) {
      if (item.text === null) { item.text = fold(rowText(item.row)); }
      return item.text;
    }
    function apply() {
      tables.forEach(ungroup);
      var query = fold(form.elements.q.value).split(/\s+/).filter(Boolean);
      var clause = form.elements.clause.value;
      var year = form.elements.year.value;
      var shown = 0;
      rows.forEach(function (item) {
        var visible = (!clause || item.clause === clause) &&
          (!year || item.year === year) &&
          query.every(function (word) { return textOf(item).indexOf(word) !== -1; });
        item.row.hidden = !visible;
        if (visible) { shown += 1; }
      });
      tables.forEach(function (table) {
        var any = rowsOf(table).some(function (row) { return !row.hidden; });
        var region = table.closest(".tc-scroll");
        var before = region.previousElementSibling;
        var around = [region, before, region.nextElementSibling];
        if (before && before.classList.contains("tc-expired-intro")) { around.push(before.previousElementSibling); }
        around.forEach(function (element) {
          if (element && (element === region || element.tagName === "H2" || element.classList.contains("tc-basis") ||
              element.classList.contains("tc-expired-intro"))) {
            element.hidden = !any;
          }
        });
      });
      status.textContent = status.getAttribute("data-template")
        .replace("{shown}", String(shown)).replace("{total}", String(rows.length));
    }
    form.addEventListener("input", apply);
    form.addEventListener("change", apply);
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    form.addEventListener("reset", function () { window.setTimeout(apply, 0); });
    form.hidden = false;
  }

  // Filtered or sorted, a table's groups no longer hold the rows their skipped size was measured with:
  // from then on each row is skipped on its own while off screen (tc-rows, theme/assets/tiepcan.css).
  function ungroup(table) {
    table.classList.add("tc-rows");
  }

  function sortKey(row, index) {
    var cell = row.cells[index];
    return cell.getAttribute("data-sort") || fold(cell.textContent.trim());
  }

  function setupSort(table) {
    var headers = table.tHead.rows[0].cells;
    var template = table.getAttribute("data-sort-label");
    Array.prototype.forEach.call(headers, function (th, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "tc-sort";
      button.textContent = th.textContent;
      button.setAttribute("aria-label", template.replace("{column}", th.textContent));
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(headers, function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var sorted = rowsOf(table).sort(function (a, b) {
          var x = sortKey(a, index), y = sortKey(b, index);
          return x.localeCompare(y, "vi", { numeric: true }) * (ascending ? 1 : -1);
        });
        ungroup(table);
        // Each group keeps its number of rows, now the next ones in the new order.
        var bodies = Array.prototype.slice.call(table.tBodies);
        var counts = bodies.map(function (body) { return body.rows.length; });
        var next = 0;
        bodies.forEach(function (body, group) {
          sorted.slice(next, next + counts[group]).forEach(function (row) { body.appendChild(row); });
          next += counts[group];
        });
      });
    });
  }

  // "/" anywhere but in a field goes to the header's search field (announced by its aria-keyshortcuts
  // and hint); Tab and Escape leave it as any field, so it is no trap.
  function setupSearchShortcut() {
    var field = document.getElementById("tc-header-q");
    if (!field) { return; }
    document.addEventListener("keydown", function (event) {
      if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) { return; }
      var target = event.target;
      var tag = target && target.tagName;
      if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable)) { return; }
      event.preventDefault();
      field.focus();
    });
    field.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { field.blur(); }
    });
  }

  function setup() {
    setupSearchShortcut();
    var form = document.querySelector("form[data-tc-filter]");
    if (form) { setupFilter(form); }
    // Each table's sort buttons in a task of its own: on a 500-entry catalog's 16 tables, all at once they
    // lengthened the slow phone's task that starts the page (Material's start-up runs in it too).
    Array.prototype.forEach.call(document.querySelectorAll("table[data-sort-label]"), function (table) {
      window.setTimeout(function () { setupSort(table); }, 0);
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-tc-print]"), function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();
