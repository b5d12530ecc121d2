// Batch progress: polls the job's status and updates the page; reloads once it has finished
// (the page then offers the downloads). Without JavaScript the page says to reload it.
"use strict";
(function () {
  var box = document.getElementById("batch");
  if (!box) { return; }
  var url = box.getAttribute("data-status-url");
  function set(id, value) {
    var node = document.getElementById(id);
    if (node) { node.textContent = String(value); }
  }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        var bar = document.getElementById("progress");
        if (bar) { bar.value = s.done; }
        ["state", "done", "deny", "review", "clear", "errors"].forEach(function (k) { set(k, s[k]); });
        if (s.state === "finished" || s.state === "failed") { window.location.reload(); return; }
        window.setTimeout(poll, 700);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 300);
})();
