// convmem console: the one script. It only polls a CSV import's progress (import page) and
// reloads the page when the import has finished. Everything else works without JavaScript.
"use strict";
(function () {
  var box = document.getElementById("import-status");
  if (!box || box.getAttribute("data-done") === "true") { return; }
  var url = box.getAttribute("data-progress-url");
  var bar = document.getElementById("import-progress");
  function text(id, value) { var el = document.getElementById(id); if (el) { el.textContent = String(value); } }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (s) {
        text("import-state", s.status);
        text("import-rows", s.processedRows);
        text("import-errors", s.errors);
        if (s.totalRows) { bar.max = s.totalRows; bar.value = Math.min(s.processedRows, s.totalRows); }
        if (s.done) { bar.value = bar.max; window.location.reload(); return; }
        window.setTimeout(poll, 400);
      })
      .catch(function () { window.setTimeout(poll, 2000); });
  }
  window.setTimeout(poll, 200);
})();
