// Live progress of a broadcast: polls the console's own status endpoint (same origin, session
// cookie) and updates the page until the broadcast is finished.
(function () {
  "use strict";
  var box = document.querySelector("[data-poll]");
  if (!box) { return; }
  var url = box.getAttribute("data-poll");
  var done = ["completed", "done", "finished", "failed", "cancelled"];
  function show(data) {
    ["status", "total", "sent", "failed"].forEach(function (k) {
      var el = box.querySelector("[data-field='" + k + "']");
      if (el && data[k] !== undefined && data[k] !== null) { el.textContent = String(data[k]); }
    });
    var bar = box.querySelector("progress");
    if (bar && data.total) { bar.max = data.total; bar.value = (data.sent || 0) + (data.failed || 0); }
    return done.indexOf(String(data.status)) >= 0;
  }
  function tick() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (!data || !show(data)) { setTimeout(tick, 1500); } })
      .catch(function () { setTimeout(tick, 5000); });
  }
  tick();
})();
