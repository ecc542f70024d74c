// The supervision report (site/bao-cao/, generator/report.py): filter and sort the agency table.
// Enhancement only: without JavaScript the whole table is shown, in its fixed order. No inline code.
(function () {
  "use strict";
  var ORDER = { met: 0, late: 1, missing: 2, not_applicable: 3 };
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
  }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text) node.textContent = text;
    return node;
  }
  function enhance(table, index) {
    var d = table.dataset, body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
    var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
    var form = el("form", { "class": "tc-report-filter", role: "search" });
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    function field(label, control) {
      var wrap = el("div", { "class": "tc-report-field" });
      wrap.appendChild(el("label", { "for": control.id }, label));
      wrap.appendChild(control);
      form.appendChild(wrap);
      return control;
    }
    var text = field(d.lFilter, el("input", { type: "search", id: "tc-report-q-" + index }));
    var duty = field(d.lDuty, el("select", { id: "tc-report-duty-" + index }));
    duty.appendChild(el("option", { value: "" }, d.lAny));
    heads.slice(1).forEach(function (th, i) { duty.appendChild(el("option", { value: String(i + 1) }, th.textContent)); });
    var status = field(d.lStatus, el("select", { id: "tc-report-status-" + index }));
    status.appendChild(el("option", { value: "" }, d.lAny));
    Object.keys(ORDER).forEach(function (key) {
      status.appendChild(el("option", { value: key }, d["l" + key.replace(/_(.)/, function (m, c) { return c.toUpperCase(); }).replace(/^./, function (c) { return c.toUpperCase(); })]));
    });
    var shown = el("p", { role: "status", "class": "tc-report-shown" });
    var region = table.closest(".tc-scroll") || table;
    region.parentNode.insertBefore(form, region);
    region.parentNode.insertBefore(shown, region);
    function apply() {
      var query = fold(text.value.trim()), column = duty.value ? Number(duty.value) : 0, wanted = status.value, count = 0;
      rows.forEach(function (row) {
        var ok = !query || fold(row.cells[0].textContent).indexOf(query) >= 0;
        if (ok && wanted) {
          var cells = column ? [row.cells[column]] : Array.prototype.slice.call(row.cells, 1);
          ok = cells.some(function (cell) { return cell.dataset.status === wanted; });
        }
        row.hidden = !ok;
        if (ok) count += 1;
      });
      shown.textContent = d.lShown.replace("{shown}", count).replace("{total}", rows.length);
    }
    [text, duty, status].forEach(function (control) { control.addEventListener("input", apply); control.addEventListener("change", apply); });
    heads.forEach(function (th, column) {
      var button = el("button", { type: "button", title: d.lSort }, th.textContent);
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", function () {
        var descending = th.getAttribute("aria-sort") === "ascending";
        heads.forEach(function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", descending ? "descending" : "ascending");
        var key = function (row) {
          var cell = row.cells[column];
          return column ? [ORDER[cell.dataset.status], cell.dataset.since || ""] : [fold(cell.textContent), ""];
        };
        rows.sort(function (a, b) {
          var x = key(a), y = key(b), c = x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0;
          return descending ? -c : c;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
    apply();
  }
  document.querySelectorAll("table[data-tc-report]").forEach(enhance);
})();
