// kansoku: small conveniences on top of pages that work without JavaScript.
// 1. Article page: following an evidence link (#ev-KEY) flashes the highlighted text of that item.
// 2. Ingest page: the progress of running jobs is refreshed from /api/ingest without reloading.
(function () {
  "use strict";
  function flash() {
    var id = decodeURIComponent(location.hash.slice(1));
    if (id.indexOf("ev-") !== 0) return;
    var key = id.slice(3);
    document.querySelectorAll(".ev.flash").forEach(function (el) { el.classList.remove("flash"); });
    document.querySelectorAll(".ev[data-k]").forEach(function (el) {
      if (el.getAttribute("data-k").split(" ").indexOf(key) >= 0) el.classList.add("flash");
    });
  }
  window.addEventListener("hashchange", flash);
  document.addEventListener("DOMContentLoaded", function () {
    flash();
    var jobs = document.querySelectorAll(".job[data-job][data-running='1']");
    if (!jobs.length) return;
    var timer = setInterval(function () {
      fetch("/api/ingest", { headers: { "Accept": "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (data) {
          var running = 0;
          (data.jobs || []).forEach(function (j) {
            var el = document.querySelector(".job[data-job='" + j.id + "']");
            if (!el) return;
            var bar = el.querySelector("progress");
            if (bar) { if (j.total) { bar.max = j.total; bar.value = j.done; } else { bar.removeAttribute("value"); } }
            var st = el.querySelector(".status");
            if (st) st.textContent = j.status_label || j.status;
            var n = el.querySelector(".done");
            if (n) n.textContent = j.done + (j.total ? " / " + j.total : "") + (j.failed ? " (" + j.failed + " ✗)" : "");
            var log = el.querySelector(".log");
            if (log) log.textContent = (j.messages || []).join("\n");
            if (j.status === "running" || j.status === "queued") running++;
          });
          if (!running) clearInterval(timer);
        })
        .catch(function () { clearInterval(timer); });
    }, 1000);
  });
})();
